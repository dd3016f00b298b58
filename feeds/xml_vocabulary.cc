#include "feeds/xml_vocabulary.h"

#include <array>
#include <utility>

#include "common/ascii.h"

namespace feedbridge::feeds::internal {
namespace {

struct NsEntry {
  std::string_view uri;
  Ns ns;
};

// Namespace URIs as published, plus the variants seen in the wild (trailing slash or not,
// capitalised DTD path for iTunes).
constexpr std::array<NsEntry, 30> kNamespaces = {{
    {"http://www.w3.org/2005/Atom", Ns::kAtom10},
    {"http://purl.org/atom/ns#", Ns::kAtom03},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::kRdf},
    {"http://purl.org/dc/elements/1.1/", Ns::kDc},
    {"http://purl.org/dc/elements/1.0/", Ns::kDc},
    {"http://purl.org/dc/terms/", Ns::kDcTerms},
    {"http://purl.org/rss/1.0/modules/content/", Ns::kContent},
    {"http://search.yahoo.com/mrss/", Ns::kMedia},
    {"http://search.yahoo.com/mrss", Ns::kMedia},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", Ns::kITunes},
    {"http://www.itunes.com/DTDs/Podcast-1.0.dtd", Ns::kITunes},
    {"http://example.com/DTDs/Podcast-1.0.dtd", Ns::kITunes},  // The 2005 spec's own example.
    {"https://podcastindex.org/namespace/1.0", Ns::kPodcast},
    {"http://podcastindex.org/namespace/1.0", Ns::kPodcast},
    {"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md", Ns::kPodcast},
    {"http://www.w3.org/1999/xhtml", Ns::kXhtml},
    {"http://www.w3.org/XML/1998/namespace", Ns::kXml},
    {"http://web.resource.org/cc/", Ns::kCc},
    {"http://creativecommons.org/ns#", Ns::kCc},
    {"http://backend.userland.com/creativeCommonsRssModule", Ns::kCc},
    {"http://webns.net/mvcb/", Ns::kAdmin},
    // RSS vocabularies whose elements mean what plain RSS elements mean.
    {"http://my.netscape.com/rdf/simple/0.9/", Ns::kNone},
    {"http://purl.org/rss/1.0/", Ns::kNone},
    {"http://backend.userland.com/rss", Ns::kNone},
    {"http://backend.userland.com/rss2", Ns::kNone},
    {"http://blogs.law.harvard.edu/tech/rss", Ns::kNone},
    {"http://purl.org/net/rss1.1#", Ns::kNone},
    {"http://channel.netscape.com/rdf/simple/0.9/", Ns::kNone},
    {"http://www.w3.org/2005/atom", Ns::kAtom10},
    {"http://purl.org/atom/ns#draft-ietf-atompub-format-08", Ns::kAtom10},
}};

constexpr std::array<std::pair<std::string_view, Ns>, 15> kPrefixes = {{
    {"atom", Ns::kAtom10},
    {"rdf", Ns::kRdf},
    {"dc", Ns::kDc},
    {"dcterms", Ns::kDcTerms},
    {"content", Ns::kContent},
    {"media", Ns::kMedia},
    {"itunes", Ns::kITunes},
    {"podcast", Ns::kPodcast},
    {"xhtml", Ns::kXhtml},
    {"xml", Ns::kXml},
    {"cc", Ns::kCc},
    {"creativecommons", Ns::kCc},
    {"creativeCommons", Ns::kCc},
    {"admin", Ns::kAdmin},
    {"rss", Ns::kNone},
}};

struct ElemEntry {
  Ns ns;
  std::string_view local;
  Elem elem;
};

constexpr ElemEntry kElements[] = {
    // RSS (no namespace) and RDF-namespaced RSS 0.90/1.0 elements.
    {Ns::kNone, "rss", Elem::kRss},
    {Ns::kNone, "channel", Elem::kChannel},
    {Ns::kNone, "item", Elem::kItem},
    {Ns::kNone, "image", Elem::kImage},
    {Ns::kNone, "textinput", Elem::kTextInput},
    {Ns::kNone, "title", Elem::kTitle},
    {Ns::kNone, "link", Elem::kLink},
    {Ns::kNone, "description", Elem::kDescription},
    {Ns::kNone, "guid", Elem::kGuid},
    {Ns::kNone, "pubdate", Elem::kPubDate},
    {Ns::kNone, "lastbuilddate", Elem::kLastBuildDate},
    {Ns::kNone, "author", Elem::kRssAuthor},
    {Ns::kNone, "managingeditor", Elem::kManagingEditor},
    {Ns::kNone, "webmaster", Elem::kPublisher},
    {Ns::kNone, "category", Elem::kCategory},
    {Ns::kNone, "enclosure", Elem::kEnclosure},
    {Ns::kNone, "comments", Elem::kComments},
    {Ns::kNone, "language", Elem::kLanguage},
    {Ns::kNone, "generator", Elem::kGenerator},
    {Ns::kNone, "copyright", Elem::kRights},
    {Ns::kNone, "ttl", Elem::kTtl},
    {Ns::kNone, "docs", Elem::kDocs},
    {Ns::kNone, "source", Elem::kRssSource},
    {Ns::kNone, "expirationdate", Elem::kExpired},
    {Ns::kNone, "url", Elem::kUrl},
    {Ns::kNone, "width", Elem::kWidth},
    {Ns::kNone, "height", Elem::kHeight},
    {Ns::kNone, "body", Elem::kXhtmlBody},
    {Ns::kNone, "fullitem", Elem::kContentEncoded},
    {Ns::kNone, "items", Elem::kIgnored},
    {Ns::kNone, "cloud", Elem::kCloud},
    {Ns::kNone, "newlocation", Elem::kNewLocation},
    {Ns::kNone, "skiphours", Elem::kIgnored},
    {Ns::kNone, "skipdays", Elem::kIgnored},
    {Ns::kNone, "rating", Elem::kIgnored},
    // Atom 1.0 (Atom 0.3 maps onto the same table; see ClassifyElement).
    {Ns::kAtom10, "feed", Elem::kFeed},
    {Ns::kAtom10, "entry", Elem::kEntry},
    {Ns::kAtom10, "source", Elem::kSource},
    {Ns::kAtom10, "author", Elem::kAuthor},
    {Ns::kAtom10, "contributor", Elem::kContributor},
    {Ns::kAtom10, "name", Elem::kName},
    {Ns::kAtom10, "email", Elem::kEmail},
    {Ns::kAtom10, "uri", Elem::kUri},
    {Ns::kAtom10, "url", Elem::kUri},
    {Ns::kAtom10, "homepage", Elem::kUri},
    {Ns::kAtom10, "item", Elem::kEntry},
    {Ns::kAtom10, "title", Elem::kTitle},
    {Ns::kAtom10, "subtitle", Elem::kSubtitle},
    {Ns::kAtom10, "tagline", Elem::kSubtitle},
    {Ns::kAtom10, "summary", Elem::kSummary},
    {Ns::kAtom10, "content", Elem::kContent},
    {Ns::kAtom10, "rights", Elem::kRights},
    {Ns::kAtom10, "copyright", Elem::kRights},
    {Ns::kAtom10, "id", Elem::kId},
    {Ns::kAtom10, "link", Elem::kAtomLink},
    {Ns::kAtom10, "updated", Elem::kUpdated},
    {Ns::kAtom10, "modified", Elem::kUpdated},
    {Ns::kAtom10, "published", Elem::kPublished},
    {Ns::kAtom10, "issued", Elem::kPublished},
    {Ns::kAtom10, "created", Elem::kCreated},
    {Ns::kAtom10, "category", Elem::kCategory},
    {Ns::kAtom10, "generator", Elem::kGenerator},
    {Ns::kAtom10, "icon", Elem::kIcon},
    {Ns::kAtom10, "logo", Elem::kLogo},
    {Ns::kAtom10, "info", Elem::kInfo},
    // RDF.
    {Ns::kRdf, "rdf", Elem::kRdfRoot},
    {Ns::kRdf, "seq", Elem::kIgnored},
    {Ns::kRdf, "li", Elem::kIgnored},
    // Dublin Core and DC terms.
    {Ns::kDc, "title", Elem::kTitle},
    {Ns::kDc, "description", Elem::kDescription},
    {Ns::kDc, "creator", Elem::kRssAuthor},
    {Ns::kDc, "author", Elem::kRssAuthor},
    {Ns::kDc, "contributor", Elem::kDcContributor},
    {Ns::kDc, "publisher", Elem::kPublisher},
    {Ns::kDc, "date", Elem::kUpdated},
    {Ns::kDc, "rights", Elem::kRights},
    {Ns::kDc, "subject", Elem::kDcSubject},
    {Ns::kDc, "language", Elem::kLanguage},
    {Ns::kDcTerms, "modified", Elem::kUpdated},
    {Ns::kDcTerms, "issued", Elem::kPublished},
    {Ns::kDcTerms, "created", Elem::kCreated},
    {Ns::kDcTerms, "valid", Elem::kDcTermsValid},
    {Ns::kDcTerms, "rights", Elem::kRights},
    {Ns::kContent, "encoded", Elem::kContentEncoded},
    {Ns::kXhtml, "body", Elem::kXhtmlBody},
    {Ns::kXhtml, "div", Elem::kXhtmlBody},
    {Ns::kCc, "license", Elem::kLicense},
    {Ns::kAdmin, "generatoragent", Elem::kGeneratorAgent},
    // Media RSS.
    {Ns::kMedia, "thumbnail", Elem::kMediaThumbnail},
    {Ns::kMedia, "content", Elem::kMediaContent},
    {Ns::kMedia, "group", Elem::kMediaGroup},
    {Ns::kMedia, "title", Elem::kMediaTitle},
    {Ns::kMedia, "description", Elem::kMediaDescription},
    {Ns::kMedia, "keywords", Elem::kMediaKeywords},
    {Ns::kMedia, "category", Elem::kMediaCategory},
    {Ns::kMedia, "credit", Elem::kMediaCredit},
    {Ns::kMedia, "rating", Elem::kMediaRating},
    {Ns::kMedia, "license", Elem::kMediaLicense},
    // iTunes.
    {Ns::kITunes, "author", Elem::kITunesAuthor},
    {Ns::kITunes, "subtitle", Elem::kITunesSubtitle},
    {Ns::kITunes, "summary", Elem::kITunesSummary},
    {Ns::kITunes, "image", Elem::kITunesImage},
    {Ns::kITunes, "explicit", Elem::kITunesExplicit},
    {Ns::kITunes, "keywords", Elem::kITunesKeywords},
    {Ns::kITunes, "duration", Elem::kITunesDuration},
    {Ns::kITunes, "block", Elem::kITunesBlock},
    {Ns::kITunes, "category", Elem::kITunesCategory},
    {Ns::kITunes, "owner", Elem::kITunesOwner},
    {Ns::kITunes, "name", Elem::kName},
    {Ns::kITunes, "email", Elem::kEmail},
    {Ns::kITunes, "new-feed-url", Elem::kITunesNewFeedUrl},
    {Ns::kITunes, "episode", Elem::kITunesEpisode},
    {Ns::kITunes, "season", Elem::kITunesSeason},
    {Ns::kITunes, "episodetype", Elem::kITunesEpisodeType},
    {Ns::kITunes, "type", Elem::kITunesType},
    {Ns::kITunes, "link", Elem::kITunesLink},
    // Podcasting 2.0.
    {Ns::kPodcast, "transcript", Elem::kPodcastTranscript},
    {Ns::kPodcast, "chapters", Elem::kPodcastChapters},
    {Ns::kPodcast, "funding", Elem::kPodcastFunding},
    {Ns::kPodcast, "person", Elem::kPodcastPerson},
    {Ns::kPodcast, "guid", Elem::kPodcastGuid},
    {Ns::kPodcast, "locked", Elem::kPodcastLocked},
};

}  // namespace

Ns ClassifyNamespace(std::string_view uri, std::string_view prefix) {
  if (uri.empty()) {
    if (prefix.empty()) return Ns::kNone;
    for (const auto& [p, ns] : kPrefixes) {
      if (p == prefix) return ns;
    }
    return Ns::kOther;
  }
  for (const NsEntry& e : kNamespaces) {
    if (e.uri == uri) return e.ns;
  }
  // Podcast hosts spell the iTunes URI in every case ("HTTP://WWW.ITUNES.COM/DTDS/...").
  if (EqualsIgnoreAsciiCase(uri, "http://www.itunes.com/dtds/podcast-1.0.dtd")) return Ns::kITunes;
  return Ns::kOther;
}

bool IsRss090Namespace(std::string_view uri) {
  return uri == "http://my.netscape.com/rdf/simple/0.9/" ||
         uri == "http://channel.netscape.com/rdf/simple/0.9/";
}

Elem ClassifyElement(Ns ns, std::string_view local) {
  if (ns == Ns::kAtom03) ns = Ns::kAtom10;
  for (const ElemEntry& e : kElements) {
    if (e.ns == ns && e.local == local) return e.elem;
  }
  return Elem::kUnknown;
}

}  // namespace feedbridge::feeds::internal
