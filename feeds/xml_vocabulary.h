#pragma once

// Internal to feeds/: the namespaces and elements of the feed vocabularies we understand, and
// how an (namespace, local name) pair maps to one of them. Pure.

#include <cstdint>
#include <string_view>

namespace feedbridge::feeds::internal {

enum class Ns : uint8_t {
  kNone,  // No namespace, or one of the RSS 0.90 / 1.0 / Userland namespaces.
  kAtom10,
  kAtom03,
  kRdf,
  kDc,
  kDcTerms,
  kContent,
  kMedia,
  kITunes,
  kPodcast,  // Podcasting 2.0.
  kXhtml,
  kXml,
  kCc,  // Both Creative Commons vocabularies.
  kAdmin,
  kOther,
};

// The namespace behind a URI; `prefix` is used when the URI is empty (an undeclared prefix,
// as in "<dc:creator>" without xmlns:dc, which feed readers accept by the usual prefix).
Ns ClassifyNamespace(std::string_view uri, std::string_view prefix);

// True when the namespace is the one RSS 0.90 puts its elements in.
bool IsRss090Namespace(std::string_view uri);

enum class Elem : uint8_t {
  kUnknown,
  // Document structure.
  kRss,
  kRdfRoot,
  kFeed,
  kChannel,
  kItem,
  kEntry,
  kImage,
  kTextInput,
  kSource,     // Atom <source>.
  kRssSource,  // RSS <source url="...">title</source>.
  kAuthor,     // Atom person constructs.
  kContributor,
  kName,
  kEmail,
  kUri,
  // Text and values.
  kTitle,
  kDescription,  // RSS description.
  kSubtitle,     // Atom subtitle, Atom 0.3 tagline.
  kSummary,
  kContent,         // Atom content.
  kContentEncoded,  // content:encoded.
  kXhtmlBody,       // xhtml:body inside an RSS item.
  kRights,
  kInfo,  // Atom 0.3 <info>.
  kId,
  kGuid,
  kLink,      // RSS <link>text</link>.
  kAtomLink,  // <link href=... rel=...>.
  kPubDate,
  kLastBuildDate,
  kUpdated,    // Atom updated/modified, dc:date, dcterms:modified.
  kPublished,  // Atom published/issued, dcterms:issued.
  kCreated,
  kExpired,
  kRssAuthor,  // RSS <author>, managingEditor, dc:creator, itunes:author.
  kManagingEditor,
  kDcContributor,
  kPublisher,  // dc:publisher, webMaster.
  kCategory,
  kDcSubject,
  kEnclosure,
  kComments,
  kLanguage,
  kGenerator,
  kGeneratorAgent,  // admin:generatorAgent rdf:resource.
  kIcon,
  kLogo,
  kTtl,
  kDocs,
  kLicense,
  kMediaThumbnail,
  kMediaContent,
  kMediaGroup,
  kITunesSubtitle,
  kITunesSummary,
  kITunesImage,
  kITunesExplicit,
  kITunesKeywords,
  kITunesDuration,
  kITunesBlock,
  kITunesCategory,
  kITunesAuthor,
  kITunesOwner,
  kITunesNewFeedUrl,
  kITunesEpisode,
  kITunesSeason,
  kITunesEpisodeType,
  kITunesType,
  kITunesLink,
  kMediaTitle,
  kMediaDescription,
  kMediaKeywords,
  kMediaCategory,
  kCloud,
  kDcTermsValid,
  kNewLocation,
  kMediaCredit,
  kMediaRating,
  kMediaLicense,
  kPodcastTranscript,
  kPodcastChapters,
  kPodcastFunding,
  kPodcastPerson,
  kPodcastGuid,
  kPodcastLocked,
  kIgnored,  // Known, deliberately not modelled (rdf:Seq, textinput children, ...).
  // Image children.
  kUrl,
  kWidth,
  kHeight,
};

// `local` must already be ASCII-lower-cased: feed readers match RSS element names without case.
Elem ClassifyElement(Ns ns, std::string_view local);

}  // namespace feedbridge::feeds::internal
