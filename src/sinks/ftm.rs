//! Writes documents as FollowTheMoney entities, one JSON object a line: the format Aleph,
//! OpenSanctions' tools and `ftm` read. An article becomes an `Article` (FtM's kind of `Document`);
//! each person and organisation it names a `Person`, `Organization` or `PublicBody` (authorities and
//! governments), with a `Mention` linking it to the article; each designation a `Sanction` of its
//! target (`Person`, `Organization`, `Company`, `Vessel` with its IMO number, `Airplane`) by its
//! authority, and each official list entry that target matches a `Sanction` as the list records it
//! (`authorityId` the entry's id, `listingDate`). Ids derive from newshound's keys, so a second export has the same ids and FtM tools
//! update rather than duplicate.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Sink, SinkError, Written};
use crate::document::{Designation, DesignationAction, Document, Entity, EntityLabel, TargetType, imo_after_name};
use crate::identity::{country_named, fingerprint};
use crate::lists::ListId;

#[derive(Debug, Serialize)]
struct FtmEntity {
    id: String,
    schema: &'static str,
    properties: BTreeMap<&'static str, Vec<String>>,
}

impl FtmEntity {
    fn new(id: String, schema: &'static str) -> Self {
        FtmEntity { id, schema, properties: BTreeMap::new() }
    }

    fn add(&mut self, property: &'static str, value: impl Into<String>) {
        let value = value.into();
        let values = self.properties.entry(property).or_default();
        if !value.trim().is_empty() && !values.contains(&value) {
            values.push(value);
        }
    }

    /// Folds in what another article says of the same entity; the more specific schema wins
    /// (`Company` over `Organization`, `PublicBody` over `Organization`).
    fn merge(&mut self, other: FtmEntity) {
        if self.schema == "Organization" {
            self.schema = other.schema;
        }
        for (property, values) in other.properties {
            for value in values {
                self.add(property, value);
            }
        }
    }
}

/// Adds `entity` to `things`, merged with what is already known under its id.
fn merge_into(things: &mut BTreeMap<String, FtmEntity>, entity: FtmEntity) {
    match things.get_mut(&entity.id) {
        Some(known) => known.merge(entity),
        None => {
            things.insert(entity.id.clone(), entity);
        }
    }
}

/// A stable FtM id for one of newshound's keys.
fn ftm_id(kind: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("{kind}\u{0}{key}").as_bytes());
    format!("nh-{kind}-{}", &hex::encode(digest)[..32])
}

/// FtM's country codes are lower case; the EU has one there too.
fn ftm_country(code: &str) -> String {
    code.to_lowercase()
}

fn web_url(url: &str) -> Option<&str> {
    (url.starts_with("http://") || url.starts_with("https://")).then_some(url)
}

/// The id and schema of the thing a person or organisation mention names; `None` for other types.
fn thing_of(e: &Entity) -> Option<(String, &'static str)> {
    let schema = match e.label {
        EntityLabel::Per => "Person",
        // Organisations with a country are governments and sanctioning authorities.
        EntityLabel::Org if e.country.is_some() => "PublicBody",
        EntityLabel::Org => "Organization",
        _ => return None,
    };
    Some((ftm_id("entity", &e.identity().to_string()), schema))
}

/// The id and schema of a designation's target: persons and organisations share the ids their
/// mentions have; vessels and aircraft are things of their own.
fn target_of(d: &Designation) -> (String, &'static str) {
    let (label, schema) = match d.target.kind {
        TargetType::Person => (EntityLabel::Per, "Person"),
        TargetType::Organisation => (EntityLabel::Org, "Organization"),
        TargetType::Company => (EntityLabel::Org, "Company"),
        TargetType::Vessel => return (ftm_id("vessel", &fingerprint(&d.target.name, EntityLabel::Misc)), "Vessel"),
        TargetType::Aircraft => {
            return (ftm_id("aircraft", &fingerprint(&d.target.name, EntityLabel::Misc)), "Airplane");
        }
    };
    (ftm_id("entity", &format!("{}:{}", label.as_str(), fingerprint(&d.target.name, label))), schema)
}

/// The IMO number written right after a vessel's name in the body, if any.
fn imo_number_of(doc: &Document, name: &str) -> Option<String> {
    let entities = doc.entities.as_deref().unwrap_or_default();
    imo_after_name(&doc.body, entities, name).map(|digits| format!("IMO{digits}"))
}

/// Entities of one document: the article, mentions and sanctions (written at once), and the
/// persons, organisations and authorities it names (merged across documents).
fn entities_of(doc: &Document) -> (Vec<FtmEntity>, Vec<FtmEntity>) {
    let article_id = ftm_id("article", &doc.key);
    let mut article = FtmEntity::new(article_id.clone(), "Article");
    article.add("title", doc.title.clone().unwrap_or_else(|| doc.id.clone()));
    article.add("fileName", doc.id.clone());
    if let Some(published) = doc.published {
        article.add("publishedAt", published.date_naive().to_string());
    }
    if let Some(url) = web_url(doc.canonical_url.as_deref().unwrap_or(&doc.url)) {
        article.add("sourceUrl", url);
    }
    if let Some(byline) = &doc.byline {
        article.add("author", byline.clone());
    }
    article.add("bodyText", doc.body.clone());

    let mut written = Vec::new();
    let mut things: BTreeMap<String, FtmEntity> = BTreeMap::new();
    for e in doc.entities.iter().flatten() {
        if e.label == EntityLabel::Loc
            && let Some(code) = &e.country
        {
            article.add("country", ftm_country(code));
        }
        let Some((id, schema)) = thing_of(e) else { continue };
        article
            .add(if e.label == EntityLabel::Per { "peopleMentioned" } else { "namesMentioned" }, e.canonical.clone());
        let thing = things.entry(id.clone()).or_insert_with(|| FtmEntity::new(id.clone(), schema));
        thing.add("name", e.canonical.clone());
        if let Some(code) = &e.country {
            thing.add("country", ftm_country(code));
        }
        let mention_id = ftm_id("mention", &format!("{}\u{0}{}", doc.key, e.identity()));
        if !written.iter().any(|m: &FtmEntity| m.id == mention_id) {
            let mut mention = FtmEntity::new(mention_id, "Mention");
            mention.add("document", article_id.clone());
            mention.add("resolved", id);
            mention.add("name", e.canonical.clone());
            mention.add("detectedSchema", schema);
            written.push(mention);
        }
    }

    for d in doc.designations.iter().flatten() {
        let (target_id, schema) = target_of(d);
        let mut target = FtmEntity::new(target_id.clone(), schema);
        target.add("name", d.target.name.clone());
        for alias in &d.target.aliases {
            target.add("alias", alias.clone());
        }
        if let Some(country) = d.target.country.as_deref().and_then(country_named) {
            target.add("country", ftm_country(&country.code));
        }
        if schema == "Vessel"
            && let Some(imo) = imo_number_of(doc, &d.target.name)
        {
            target.add("imoNumber", imo);
        }
        merge_into(&mut things, target);

        let authority = d.authority.as_ref();
        let sanction_key =
            format!("{}\u{0}{target_id}\u{0}{:?}\u{0}{}", doc.key, d.action, authority.map_or("", |a| a.name.as_str()));
        let mut sanction = FtmEntity::new(ftm_id("sanction", &sanction_key), "Sanction");
        sanction.add("entity", target_id.clone());
        if let Some(a) = authority {
            sanction.add("authority", a.name.clone());
            if let Some(code) = &a.country {
                sanction.add("country", ftm_country(code));
            }
            let body_key = format!("ORG:{}", fingerprint(&a.name, EntityLabel::Org));
            let mut public_body = FtmEntity::new(ftm_id("entity", &body_key), "PublicBody");
            public_body.add("name", a.name.clone());
            if let Some(code) = &a.country {
                public_body.add("country", ftm_country(code));
            }
            merge_into(&mut things, public_body);
        }
        if let Some(program) = &d.program {
            sanction.add("program", program.clone());
        }
        if let Some(date) = d.date {
            let property = if d.action == DesignationAction::Delist { "endDate" } else { "startDate" };
            sanction.add(property, date.to_string());
        }
        sanction.add("provisions", d.action.past_tense());
        if d.action == DesignationAction::Delist {
            sanction.add("status", "delisted");
        }
        sanction.add("reason", d.evidence.text.clone());
        if let Some(url) = web_url(&doc.url) {
            sanction.add("sourceUrl", url);
        }
        if let Some(listing) = &d.listing {
            sanction.add("summary", listing.to_string());
            // Each list entry the target matches is a sanction of its own, as the list records it.
            for m in &listing.matches {
                let mut listed =
                    FtmEntity::new(ftm_id("sanction", &format!("{}\u{0}{}", m.list, m.entry_id)), "Sanction");
                listed.add("entity", target_id.clone());
                listed.add("authority", m.list.authority());
                listed.add("authorityId", m.entry_id.clone());
                listed.add("publisher", m.list.as_str());
                if m.list == ListId::UnSc {
                    listed.add("unscId", m.entry_id.clone());
                }
                for program in &m.programs {
                    listed.add("program", program.clone());
                }
                if let Some(since) = m.since {
                    listed.add("listingDate", since.to_string());
                }
                listed.add("status", "listed");
                merge_into(&mut things, listed);
            }
        }
        // The same action against the same target by the same authority, reported twice: one sanction.
        match written.iter_mut().find(|w| w.id == sanction.id) {
            Some(known) => known.merge(sanction),
            None => written.push(sanction),
        }
    }
    written.insert(0, article);
    (written, things.into_values().collect())
}

pub struct FtmSink<W: Write> {
    out: W,
    /// Persons, organisations and authorities, merged by id and written at the end, in id order.
    things: BTreeMap<String, FtmEntity>,
}

impl<W: Write> FtmSink<W> {
    pub fn new(out: W) -> Self {
        FtmSink { out, things: BTreeMap::new() }
    }

    fn write_line(out: &mut W, entity: &FtmEntity) -> Result<(), SinkError> {
        serde_json::to_writer(&mut *out, entity)?;
        out.write_all(b"\n")?;
        Ok(())
    }
}

impl<W: Write> Sink for FtmSink<W> {
    fn write(&mut self, doc: &Document) -> Result<Written, SinkError> {
        let (written, things) = entities_of(doc);
        for entity in &written {
            Self::write_line(&mut self.out, entity)?;
        }
        for thing in things {
            merge_into(&mut self.things, thing);
        }
        Ok(Written::Stored)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        for thing in std::mem::take(&mut self.things).into_values() {
            Self::write_line(&mut self.out, &thing)?;
        }
        self.out.flush()?;
        Ok(())
    }
}
