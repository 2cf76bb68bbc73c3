//! The values that flow between pipeline stages. Each stage takes one of these and returns the next:
//! sources yield [`FetchedPage`], extract turns it into an [`Article`], annotate adds [`Annotations`],
//! and sinks store the resulting [`Document`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How the bytes of a page are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    Html,
    /// The visible text of a page, already stripped of markup (lines and blank lines kept).
    Text,
}

/// Raw bytes of one page as a source delivered them.
#[derive(Debug, Clone)]
pub struct FetchedPage {
    /// Stable identifier shown to users: a file name without extensions, or the URL.
    pub id: String,
    /// Where the page came from: an http(s) URL, or a `file://` URL for local files.
    pub url: String,
    pub fetched_at: DateTime<Utc>,
    /// Response headers (lower-case names); empty for local files.
    pub headers: Vec<(String, String)>,
    pub kind: ContentKind,
    pub bytes: Vec<u8>,
}

impl FetchedPage {
    /// How reports name this page: the path or URL it was read from.
    pub fn source_name(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(u) if u.scheme() == "file" => {
                u.to_file_path().map(|p| p.display().to_string()).unwrap_or(self.url.clone())
            }
            _ => self.url.clone(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The article a page carries, with the site's boilerplate removed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Article {
    pub id: String,
    pub url: String,
    /// `<link rel="canonical">` or `og:url` when the page declares one.
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<crate::dates::Published>,
    /// ISO 639-1 code.
    pub language: Option<String>,
    pub site_name: Option<String>,
    /// Paragraphs in reading order.
    pub paragraphs: Vec<String>,
    /// SHA-256 of the page bytes, used as identity when there is no canonical URL.
    pub content_hash: String,
}

/// Separator between paragraphs in [`Article::body`].
pub const PARAGRAPH_SEPARATOR: &str = "\n\n";

impl Article {
    /// The body text: paragraphs separated by a blank line. Entity offsets index into this string.
    pub fn body(&self) -> String {
        self.paragraphs.join(PARAGRAPH_SEPARATOR)
    }

    /// The key under which the article is stored: re-ingesting the same key replaces the old copy.
    pub fn identity_key(&self) -> String {
        match &self.canonical_url {
            Some(url) => format!("url:{url}"),
            None if self.url.starts_with("http") => format!("url:{}", self.url),
            None => format!("sha256:{}", self.content_hash),
        }
    }
}

/// An entity's identity across articles, written `TYPE:key`: a country's ISO 3166 code
/// (`LOC:US`, which nationalities share), a name's fingerprint (`ORG:sobaeksu trading co ltd`), or
/// the value of a date, sum or percentage (`DATE:2024-06-11`). Built by `identity`, stored in the
/// index as its text, read back with [`EntityKey::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityKey {
    label: EntityLabel,
    key: String,
}

impl EntityKey {
    pub fn new(label: EntityLabel, key: impl Into<String>) -> Self {
        EntityKey { label, key: key.into() }
    }

    /// The key of a country, and of the nationalities and governments that name it.
    pub fn country(code: &str) -> Self {
        EntityKey::new(EntityLabel::Loc, code)
    }

    /// `TYPE:key` (the type in any case) → the key; `None` when the type is unknown or there is
    /// no colon.
    pub fn parse(text: &str) -> Option<Self> {
        let (label, key) = text.split_once(':')?;
        Some(EntityKey::new(EntityLabel::parse(label)?, key))
    }

    pub fn label(&self) -> EntityLabel {
        self.label
    }

    /// The part after the type: a code, a fingerprint or a value.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// A regular expression matching the written keys of values (dates, sums, percentages), for
    /// the index's term aggregations to leave out.
    pub fn values_pattern() -> String {
        let labels: Vec<&str> = EntityLabel::ALL.iter().filter(|l| l.is_value()).map(|l| l.as_str()).collect();
        format!("({}):.*", labels.join("|"))
    }
}

impl std::fmt::Display for EntityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.label.as_str(), self.key)
    }
}

impl Serialize for EntityKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EntityKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        EntityKey::read_stored(&String::deserialize(deserializer)?)
    }
}

impl EntityKey {
    /// A key as stored, or the error a deserializer reports.
    fn read_stored<E: serde::de::Error>(text: &str) -> Result<Self, E> {
        EntityKey::parse(text).ok_or_else(|| E::custom(format!("not an entity key (TYPE:key): {text:?}")))
    }
}

/// An entity's stored key: documents stored before keys existed have an empty string.
mod key_or_empty {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::EntityKey;

    pub fn serialize<S: Serializer>(key: &Option<EntityKey>, serializer: S) -> Result<S::Ok, S::Error> {
        match key {
            Some(key) => serializer.collect_str(key),
            None => serializer.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<EntityKey>, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.is_empty() { Ok(None) } else { EntityKey::read_stored(&text).map(Some) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityLabel {
    Per,
    Org,
    Loc,
    Misc,
    Date,
    Money,
    Percent,
    /// Legal instruments: executive orders, regulations, resolutions.
    Law,
    /// IMO ship numbers.
    Imo,
    /// Cryptocurrency wallet addresses (validated by their checksum).
    Wallet,
}

impl EntityLabel {
    pub const ALL: [EntityLabel; 10] = [
        EntityLabel::Per,
        EntityLabel::Org,
        EntityLabel::Loc,
        EntityLabel::Misc,
        EntityLabel::Date,
        EntityLabel::Money,
        EntityLabel::Percent,
        EntityLabel::Law,
        EntityLabel::Imo,
        EntityLabel::Wallet,
    ];

    /// The label written as `as_str` gives it (`PER`, `ORG`, …).
    pub fn parse(label: &str) -> Option<EntityLabel> {
        EntityLabel::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(label))
    }

    /// Dates, sums and percentages: values rather than things, left out of entity lists unless asked for.
    pub fn is_value(self) -> bool {
        matches!(self, EntityLabel::Date | EntityLabel::Money | EntityLabel::Percent)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntityLabel::Per => "PER",
            EntityLabel::Org => "ORG",
            EntityLabel::Loc => "LOC",
            EntityLabel::Misc => "MISC",
            EntityLabel::Date => "DATE",
            EntityLabel::Money => "MONEY",
            EntityLabel::Percent => "PERCENT",
            EntityLabel::Law => "LAW",
            EntityLabel::Imo => "IMO",
            EntityLabel::Wallet => "WALLET",
        }
    }
}

/// One mention of a named entity. `start`/`end` are character (not byte) offsets into the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub text: String,
    pub label: EntityLabel,
    pub start: usize,
    pub end: usize,
    /// The name of the entity this mention is: within the article ("Kim" → "Kim Sang Man"), and
    /// for countries and nationalities the country's name ("U.S.", "American" → "United States").
    pub canonical: String,
    /// The entity's identity across articles (see [`EntityKey`]).
    #[serde(default, with = "key_or_empty")]
    pub key: Option<EntityKey>,
    /// ISO 3166 alpha-2 code (or `EU`) of a country, a nationality, a government or an authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Dates `2024-06-11` (or `2024-06`, `2024`), money `5000000 USD`, percentages `12.5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Entity {
    /// The entity's identity across articles; documents stored before keys existed use their
    /// type and canonical name.
    pub fn identity(&self) -> EntityKey {
        self.key.clone().unwrap_or_else(|| EntityKey::new(self.label, &self.canonical))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authority {
    pub name: String,
    /// ISO 3166 alpha-2 code, or "EU"/"UN" for those bodies.
    pub country: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignationAction {
    Designate,
    Delist,
    IdentifyBlockedProperty,
    AddToExportControlList,
    AssetFreeze,
}

impl DesignationAction {
    /// "designated", "delisted", … as a headline says it.
    pub fn past_tense(self) -> &'static str {
        match self {
            DesignationAction::Designate => "designated",
            DesignationAction::Delist => "delisted",
            DesignationAction::IdentifyBlockedProperty => "identified as blocked property",
            DesignationAction::AddToExportControlList => "added to an export-control list",
            DesignationAction::AssetFreeze => "subjected to an asset freeze",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetType {
    Person,
    Organisation,
    Company,
    Vessel,
    Aircraft,
}

impl TargetType {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Person => "person",
            TargetType::Organisation => "organisation",
            TargetType::Company => "company",
            TargetType::Vessel => "vessel",
            TargetType::Aircraft => "aircraft",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: TargetType,
    /// Other names the article uses for the target (acronyms, surnames).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the article places the target ("Belgium-based", "Iranian national"), as written.
    #[serde(default)]
    pub country: Option<String>,
    /// A vessel's IMO number (seven digits) when the article gives one right after its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imo: Option<String>,
}

/// The digits of the IMO number that `entities` find within 80 bytes after a mention of `name` in
/// `body` ("AMBER STAR (IMO 9274886)"); entity offsets are in characters.
pub fn imo_after_name(body: &str, entities: &[Entity], name: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let byte_at = |char_offset: usize| chars.get(char_offset).map_or(body.len(), |(b, _)| *b);
    let name_ends: Vec<usize> = body.match_indices(name).map(|(at, _)| at + name.len()).collect();
    entities.iter().filter(|e| e.label == EntityLabel::Imo).find_map(|e| {
        let start = byte_at(e.start);
        let near = name_ends.iter().any(|&end| end <= start && start - end <= 80);
        near.then(|| e.text.chars().filter(char::is_ascii_digit).collect())
    })
}

/// The sentence(s) that state a designation, with character offsets into the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Designation {
    pub authority: Option<Authority>,
    pub action: DesignationAction,
    pub target: Target,
    pub program: Option<String>,
    pub date: Option<NaiveDate>,
    pub evidence: Evidence,
    pub confidence: f32,
    /// How the target stands on the official lists in the list store; absent when the store holds
    /// no list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListStatus>,
}

/// Where a reported target stands on the official lists, as of the newest snapshot the store has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListStatus {
    pub status: ListStanding,
    /// The date of the newest list snapshot the answer rests on.
    pub as_of: NaiveDate,
    /// The list entries the target matches, best first.
    #[serde(default)]
    pub matches: Vec<ListMatch>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListStanding {
    /// On a list, added around the article's date or after it: the list confirms the report.
    Listed,
    /// On a list since well before the article: context, not a new designation.
    ListedBefore,
    /// On no list the store has: reported, not confirmed (as of `as_of`).
    NotListed,
}

impl std::fmt::Display for ListStatus {
    /// "on ofac-sdn (entry 1234) since 2024-07-23", "on ofac-sdn (entry 1234) added between
    /// 2021-08-18 and 2024-04-26, before the article", "not on the lists as of 2024-05-03".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(best) = self.matches.first() else {
            return write!(f, "not on the lists as of {}", self.as_of);
        };
        let since = match (best.since, best.added_after) {
            (Some(day), _) => format!("since {day}"),
            (None, Some(after)) => format!("added between {after} and {}", best.first_seen),
            (None, None) => format!("listed on or before {}", best.first_seen),
        };
        let before = if self.status == ListStanding::ListedBefore { ", before the article" } else { "" };
        write!(f, "on {} (entry {}) {since}{before}", best.list, best.entry_id)
    }
}

impl ListStanding {
    pub fn as_str(self) -> &'static str {
        match self {
            ListStanding::Listed => "listed",
            ListStanding::ListedBefore => "listed_before",
            ListStanding::NotListed => "not_listed",
        }
    }
}

/// One list entry a reported target matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListMatch {
    pub list: crate::lists::ListId,
    pub entry_id: String,
    /// The entry's primary name.
    pub name: String,
    #[serde(default)]
    pub programs: Vec<String>,
    /// The day it was listed: the list's own listing date, else the first snapshot that held it
    /// when the snapshot before was at most a week earlier; absent when the store cannot say more
    /// closely than `added_after` … `first_seen`.
    pub since: Option<NaiveDate>,
    /// The first snapshot that held it.
    pub first_seen: NaiveDate,
    /// The last snapshot without it; absent when it was in the store's first snapshot.
    pub added_after: Option<NaiveDate>,
    /// 1 for the same name written the same way; less for a match by word order or legal form.
    pub score: f32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    pub entities: Vec<Entity>,
    pub designations: Vec<Designation>,
}

/// What sinks store and what `extract` prints: the article with its annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub url: String,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<crate::dates::Published>,
    pub language: Option<String>,
    pub site_name: Option<String>,
    pub body: String,
    /// Absent when annotation was switched off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<Entity>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub designations: Option<Vec<Designation>>,
    /// Identity used for replace-on-reingest; see [`Article::identity_key`].
    pub key: String,
}

impl Document {
    pub fn new(article: Article, annotations: Option<Annotations>) -> Self {
        let key = article.identity_key();
        let body = article.body();
        let (entities, designations) = match annotations {
            Some(a) => (Some(a.entities), Some(a.designations)),
            None => (None, None),
        };
        Document {
            id: article.id,
            url: article.url,
            canonical_url: article.canonical_url,
            title: article.title,
            byline: article.byline,
            published: article.published,
            language: article.language,
            site_name: article.site_name,
            body,
            entities,
            designations,
            key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entity_key_reads_back_as_written_and_old_documents_without_one_still_load() {
        let key = EntityKey::parse("org:sobaeksu trading co ltd").unwrap();
        assert_eq!((key.label(), key.key()), (EntityLabel::Org, "sobaeksu trading co ltd"));
        assert_eq!(key.to_string(), "ORG:sobaeksu trading co ltd");
        assert_eq!(EntityKey::parse("LOC:US"), Some(EntityKey::country("US")));
        assert_eq!(EntityKey::parse("THING:x"), None);
        assert_eq!(EntityKey::parse("no colon"), None);
        let old: Entity = serde_json::from_str(
            r#"{"text":"Kim","label":"PER","start":0,"end":3,"canonical":"Kim Sang Man","key":""}"#,
        )
        .unwrap();
        assert_eq!(old.key, None);
        assert_eq!(old.identity().to_string(), "PER:Kim Sang Man");
        let json = serde_json::to_string(&Entity { key: Some(key.clone()), ..old }).unwrap();
        assert!(json.contains(r#""key":"ORG:sobaeksu trading co ltd""#), "{json}");
        assert_eq!(serde_json::from_str::<Entity>(&json).unwrap().key, Some(key));
        assert!(regex::Regex::new(&format!("^{}$", EntityKey::values_pattern())).unwrap().is_match("DATE:2024-06-11"));
    }
}
