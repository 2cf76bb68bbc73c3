//! `/designations.atom`: one entry per newly designated target, newest first, linking to the article
//! that first reported it. Feed readers poll it; each entry's id is stable for its target.

use chrono::Utc;
use quick_xml::escape::escape;

use crate::index::designations::{TargetReports, target_key};

/// Entries in the feed.
pub const ENTRIES: usize = 100;

pub fn atom(targets: &[TargetReports]) -> String {
    let updated = targets.iter().map(|t| t.first_seen).max().unwrap_or_else(Utc::now);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>newshound: new designations</title>\n<id>urn:newshound:designations</id>\n\
         <updated>{}</updated>\n",
        updated.to_rfc3339()
    );
    for t in targets {
        let first = &t.reports[0];
        let d = &first.designation;
        let authority = d.authority.as_ref().map_or("an unnamed authority", |a| a.name.as_str());
        let program = d.program.as_ref().map(|p| format!(" under {p}")).unwrap_or_default();
        let listing = d.listing.as_ref().map(|l| format!("; {l}")).unwrap_or_default();
        let title = format!(
            "{} ({}) {} by {authority}{program}{listing}",
            t.target,
            d.target.kind.as_str(),
            d.action.past_tense()
        );
        xml.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>urn:newshound:designation:{}</id>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" href=\"{}\"/>\n<summary>{}</summary>\n</entry>\n",
            escape(&title),
            escape(&target_key(&t.target).replace(' ', "-")),
            t.first_seen.to_rfc3339(),
            escape(&first.url),
            escape(&d.evidence.text),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}
