#pragma once

// Internal to feeds/: the state FeedBuilder (xml_feed_builder.h) keeps while it reads a document,
// the helpers every vocabulary uses to fill the Feed, and the interface of a vocabulary.
//
// A vocabulary (Atom, RSS/RDF, the extensions: xml_builder_*.cc) handles the elements it owns:
// a `plain` one by capturing its text, others in `start` when one opens as a direct child of a
// feed, an entry or a source, `finish` when a capture of one of its fields ends. Adding one: its
// namespace and element names in xml_vocabulary.h/.cc, its fields in `Field` below, a file defining
// a `Vocabulary`, and a line in kVocabularies (xml_feed_builder.cc). Not thread-safe; one per
// document.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/ascii.h"  // Trim, AsciiLower and EqualsIgnoreAsciiCase, used by every builder.
#include "feeds/model.h"
#include "feeds/parse_options.h"
#include "feeds/xml_sax.h"
#include "feeds/xml_vocabulary.h"

namespace feedbridge::feeds::internal {

// Categories, links, enclosures and people kept per feed or entry.
inline constexpr size_t kMaxListItems = 256;

enum class Ctx : uint8_t { kDocument, kFeed, kEntry, kSource, kImage, kTextInput, kPerson, kSkip };

// What a capture's text becomes when its element ends.
enum class Field : uint8_t {
  kNone,
  kTitle,
  kSubtitle,
  kSummary,
  kContent,
  kRights,
  kId,
  kGuid,
  kLink,
  kPubDate,
  kLastBuildDate,
  kUpdated,
  kPublished,
  kCreated,
  kExpired,
  kAuthor,
  kManagingEditor,
  kContributor,
  kPublisher,
  kCategory,
  kComments,
  kLanguage,
  kGenerator,
  kIcon,
  kLogo,
  kTtl,
  kDocs,
  kLicense,
  kPersonName,
  kPersonEmail,
  kPersonUri,
  kImageUrl,
  kImageTitle,
  kImageLink,
  kImageDescription,
  kImageWidth,
  kImageHeight,
  kRssSource,
  kITunesSubtitle,
  kITunesSummary,
  kITunesExplicit,
  kITunesKeywords,
  kITunesDuration,
  kITunesBlock,
  kITunesAuthor,
  kITunesNewFeedUrl,
  kITunesEpisode,
  kITunesSeason,
  kITunesEpisodeType,
  kITunesType,
  kMediaTitle,
  kMediaDescription,
  kMediaKeywords,
  kMediaCategory,
  kTextInput,  // A child of <textInput>; attr1 is its (lower case) name.
  kDcTermsValid,
  kNewLocation,
  kMediaCredit,
  kMediaRating,
  kMediaLicense,
  kPodcastFunding,
  kPodcastPerson,
  kPodcastGuid,
  kPodcastLocked,
  kExtension,
  kAtomLinkText,
  kInfo,
};

// How the characters of a text construct are kept while it is open.
enum class Mode : uint8_t {
  kText,    // Plain characters; child tags dropped, their text kept.
  kMarkup,  // Child elements are serialized back to markup, text is escaped (XHTML, inline HTML).
  kBase64,  // Atom 0.3 mode="base64" and Atom 1.0 non-text media types.
};

struct Capture {
  Field field = Field::kNone;
  size_t frame = 0;  // Index of the frame that opened it.
  Mode mode = Mode::kText;
  bool may_hold_markup = false;  // A text construct: child elements turn it into HTML.
  bool strip_xhtml_div = false;  // RFC 4287 §3.1.1.3: the wrapping xhtml:div is not content.
  bool div_stripped = false;
  std::string text;
  Text construct;  // type/base/language/src for text constructs.
  // Attributes some fields need at the end.
  std::string attr1;  // guid isPermaLink, category domain/scheme, source url, generator uri.
  std::string attr2;  // generator version, category label.
  std::string ext_ns;
  std::string ext_name;
  std::string ext_prefix;
};

struct Frame {
  Elem elem = Elem::kUnknown;
  Ctx pushed = Ctx::kDocument;  // The context this element opened, or kDocument if none.
  bool pushed_context = false;
  bool wrote_markup_end = false;  // Inside a markup capture: write </name> at the end.
  uint32_t base = 0;              // Index into bases_.
  uint32_t lang = 0;              // Index into langs_.
  std::string markup_name;        // Name written for the end tag.
};

// What FeedBuilder knows while it reads one document: the open elements and contexts, the
// capture in progress, and the feed being filled. Not thread-safe; one per document.
struct BuilderState {
  BuilderState(const ParseOptions& o, Feed& f) : options(o), feed(f) {
    bases.push_back(o.base_url);
    langs.emplace_back();
    frames.reserve(64);
  }

  const ParseOptions& options;
  Feed& feed;
  std::vector<Frame> frames;
  std::vector<Ctx> contexts{Ctx::kDocument};
  std::vector<std::string> bases;  // xml:base values in effect, resolved; [0] = document URL.
  std::vector<std::string> langs;  // xml:lang values; [0] = none.
  std::optional<Capture> capture;
  Entry* entry = nullptr;                 // The entry being read, if any.
  std::vector<Person>* people = nullptr;  // Where the open Atom person construct goes.
  bool saw_root = false;
  bool in_feed_root = false;  // Inside <rss>, <rdf:RDF> or <feed>.
  std::string root_name;      // For the error message when the root is not a feed.
  size_t dropped_entries = 0;
  // (namespace, interned local name) -> element; libxml2 interns names in its dictionary, so the
  // pointer identifies the name for the whole document.
  std::unordered_map<const char*, std::pair<Ns, Elem>> elem_cache;
  std::unordered_map<const char*, Ns> ns_cache;
  // A root in a namespace we do not know (<feed xmlns="http://example.com/newformat#">) is read
  // as the vocabulary its local name says; its namespace then means that vocabulary throughout.
  std::string aliased_uri;
  Ns aliased_ns = Ns::kOther;
  bool atom_without_namespace = false;
  std::string root_lang;             // xml:lang on the root element.
  std::vector<Person> itunes_owner;  // The itunes:owner being read (a person context).
  // media:title / media:description of an entry (its index), for entries that have no core
  // title or summary once the document is read.
  struct MediaText {
    size_t entry;
    bool title;
    Text text;
  };
  std::vector<MediaText> media_texts;
  // An Atom <link> without href (its URL is its text), waiting for the text.
  std::optional<std::vector<std::pair<std::string, std::string>>> pending_link_attrs;

  Ctx context() const { return contexts.back(); }
  const std::string& base() const { return bases[frames.empty() ? 0 : frames.back().base]; }
  const std::string& lang() const { return langs[frames.empty() ? 0 : frames.back().lang]; }

  // The head that feed-level elements fill: the entry's <source> or the feed.
  FeedHead* head() {
    if (context() == Ctx::kSource && entry != nullptr && entry->source) return &*entry->source;
    if (entry != nullptr) return nullptr;
    return &feed;
  }
  bool in_entry() const { return entry != nullptr && context() != Ctx::kSource; }

  void AddProblem(std::string problem) {
    feed.recovered = true;
    if (feed.problems.size() < 20) feed.problems.push_back(std::move(problem));
  }

  Ns NamespaceOf(std::string_view uri, std::string_view prefix);
  Elem ElementOf(Ns ns, std::string_view local);
  void StartCapture(Field field, Mode mode, bool may_hold_markup, std::string_view type);
  // StartCapture of plain text (kTextPlain), as most simple elements are read.
  void StartPlain(Field field) { StartCapture(field, Mode::kText, false, kTextPlain); }
  void StartTextConstruct(Field field, Ns ns, const std::vector<XmlAttribute>& attrs,
                          std::string_view default_type);
  void AddLink(const std::vector<XmlAttribute>& attrs);
  void AddEnclosure(const std::vector<XmlAttribute>& attrs);  // <enclosure>, media:content.
  // Adds an attachment of the entry, or merges it into the one of the same URL.
  void AddAttachment(Enclosure e);
  void AddCategory(std::string term, std::string scheme, std::string label);
  void AddPersonText(Field field, std::string_view text);
  void PushContext(Ctx ctx) {
    contexts.push_back(ctx);
    frames.back().pushed = ctx;
    frames.back().pushed_context = true;
  }
};

// The element a vocabulary is asked to start. Views valid for the call only.
struct StartEvent {
  Elem elem;
  Ns ns;
  std::string_view uri;
  std::string_view prefix;
  std::string_view local;
  const std::vector<XmlAttribute>& attrs;
  Ctx ctx;           // The context the element is in (kFeed, kEntry or kSource).
  bool entry_level;  // Inside an entry (not its source).
};

// An element whose text is read as plain text into a field (StartPlain).
struct PlainElement {
  Elem elem;
  Field field;
};

struct Vocabulary {
  // Elements read as plain text, with nothing else to do at their start.
  std::span<const PlainElement> plain;
  // Handles `e` and returns true when its element is one of this vocabulary's; false otherwise.
  bool (*start)(BuilderState& s, const StartEvent& e);
  // Stores a finished capture (`value`: its text, trimmed, C1 controls replaced) and returns true
  // when `c.field` is one of this vocabulary's; false otherwise.
  bool (*finish)(BuilderState& s, Capture& c, std::string& value);
};

extern const Vocabulary kAtomVocabulary;        // xml_builder_atom.cc
extern const Vocabulary kRssVocabulary;         // xml_builder_rss.cc
extern const Vocabulary kExtensionsVocabulary;  // xml_builder_extensions.cc: dc, content, cc, ...
extern const Vocabulary kPodcastVocabulary;     // xml_builder_podcast.cc: iTunes, Media RSS

// Person and image children (Atom person constructs, RSS <image>): the contexts they open.
void StartPersonChild(BuilderState& s, Elem elem);  // xml_builder_atom.cc
void StartImageChild(BuilderState& s, Elem elem);   // xml_builder_rss.cc

// Any other element directly under a feed or an entry, kept as a simple Extension
// (xml_builder_extensions.cc).
void StartGenericExtension(BuilderState& s, const StartEvent& e);

// The fallbacks of the podcast vocabularies once the document is read: itunes/media values for
// the core fields the document left empty (xml_builder_podcast.cc).
void FinishPodcastFallbacks(BuilderState& s);

// The value of the attribute `name` (no namespace, except rdf:resource and rdf:about), or "".
std::string_view AttrValue(const std::vector<XmlAttribute>& attrs, std::string_view name);

// A decimal integer, white space around it ignored; nullopt otherwise.
std::optional<int64_t> ParseInt(std::string_view s);

// The dates of a feed head or entry a date element fills.
enum class DateSlot : uint8_t { kPublished, kUpdated, kCreated, kExpired };
// Stores a date element's value (the text as written and its UTC time when it parses) in the
// entry, else the head; the last of repeated date elements wins, as in feed readers. Heads have
// no created or expired date.
void StoreDate(BuilderState& s, DateSlot slot, const std::string& value);

// The capture's text construct (type, base, language, src) holding `value`.
Text TakeText(Capture& c, std::string&& value);

}  // namespace feedbridge::feeds::internal
