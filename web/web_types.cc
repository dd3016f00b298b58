// Placeholder so fb_web has a source until the handlers land.
#include "web/web_types.h"
