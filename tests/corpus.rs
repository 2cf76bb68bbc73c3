//! The shipped corpus through the real pipeline: extraction, metadata, charsets and annotations.
//!
//! The corpus pages' designees (`corpus/designations.jsonl`) are among the designation head's training
//! texts, so the designation checks here hold the shipped head to its own labelled pages; what it does
//! on texts it never saw is the cross-validation's figure (`scripts/bench-designations.sh`).

use std::path::Path;

use newshound::annotate::Annotator;
use newshound::document::{Article, Document, EntityLabel, TargetType};
use newshound::extract::extract;
use newshound::sources::load_file;

const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Loaded once: every test here annotates with the shipped model.
static ANNOTATOR: std::sync::LazyLock<Annotator> = std::sync::LazyLock::new(|| Annotator::new().unwrap());

fn article(path: &str) -> Article {
    let page = load_file(Path::new(path), MAX_BYTES).unwrap_or_else(|e| panic!("{e}"));
    extract(&page).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn document(path: &str) -> Document {
    let article = article(path);
    let annotations = ANNOTATOR.annotate(&article).unwrap();
    Document::new(article, Some(annotations))
}

fn targets(doc: &Document) -> Vec<String> {
    doc.designations.iter().flatten().map(|d| d.target.name.clone()).collect()
}

const SEED_HTML: &str = "corpus/panamatimes-us-sanctions-north-korea-cyber.html";
const SEED_TXT: &str = "../shared/seed/000_f293cfb5a39cabc5.txt";
const SEED_DESIGNEES: [&str; 5] = [
    "Pyongyang University of Automation",
    "Chinyong Information Technology Cooperation Company",
    "Technical Reconnaissance Bureau",
    "110th Research Center",
    "Kim Sang Man",
];

#[test]
fn seed_page_body_is_exactly_the_article() {
    let a = article(SEED_HTML);
    assert_eq!(a.paragraphs.len(), 12, "{:#?}", a.paragraphs);
    assert!(a.paragraphs[0].starts_with("The US government on Tuesday announced new sanctions"));
    assert!(a.paragraphs[11].ends_with("Treasury undersecretary for terrorism and financial intelligence."));
    let body = a.body();
    for boilerplate in
        ["Newsletter", "Related Articles", "Boeing Pleads Guilty", "0:00", "Close", "Home", "Subscribe", "×"]
    {
        assert!(!body.contains(boilerplate), "body keeps {boilerplate:?}");
    }
    assert_eq!(a.title.as_deref(), Some("US Sanctions North Korea Over 'Malicious Cyber Activity'"));
    assert_eq!(a.site_name.as_deref(), Some("PanamaTimes"));
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(a.published.unwrap().to_rfc3339(), "2024-07-26T09:15:00-05:00");
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://panamatimes.example/news/us-sanctions-north-korea-over-malicious-cyber-activity")
    );
}

#[test]
fn seed_text_and_html_versions_agree() {
    if !Path::new(SEED_TXT).exists() {
        eprintln!("skipping: {SEED_TXT} not present");
        return;
    }
    let txt = article(SEED_TXT);
    let html = article(SEED_HTML);
    assert_eq!(txt.paragraphs, html.paragraphs);
    assert_eq!(txt.title, html.title);
    assert_eq!(txt.published.unwrap().date_naive(), html.published.unwrap().date_naive());
    assert_eq!(targets(&document(SEED_TXT)), SEED_DESIGNEES);
}

#[test]
fn seed_designations_name_the_five_designees() {
    let doc = document(SEED_HTML);
    assert_eq!(targets(&doc), SEED_DESIGNEES);
    let designations = doc.designations.as_ref().unwrap();
    let kim = designations.iter().find(|d| d.target.name == "Kim Sang Man").unwrap();
    assert_eq!(kim.target.kind, TargetType::Person);
    assert_eq!(kim.authority.as_ref().unwrap().name, "U.S. Department of the Treasury");
    // "on Tuesday" in an article published Friday 2024-07-26.
    assert_eq!(kim.date.unwrap().to_string(), "2024-07-23");
    // Evidence offsets are character offsets into the body.
    let body: Vec<char> = doc.body.chars().collect();
    let evidence: String = body[kim.evidence.start..kim.evidence.end].iter().collect();
    assert_eq!(evidence, kim.evidence.text);
    assert!(evidence.starts_with("Also sanctioned was Kim Sang Man"));
    let chinyong = designations.iter().find(|d| d.target.name.starts_with("Chinyong")).unwrap();
    assert_eq!(chinyong.target.kind, TargetType::Company);
}

#[test]
fn seed_entities_carry_offsets_types_and_canonical_names() {
    let doc = document(SEED_HTML);
    let entities = doc.entities.as_ref().unwrap();
    let body: Vec<char> = doc.body.chars().collect();
    for e in entities {
        let text: String = body[e.start..e.end].iter().collect();
        assert_eq!(text, e.text, "offsets of {e:?}");
    }
    let label_of = |name: &str| entities.iter().find(|e| e.text == name).map(|e| e.label);
    assert_eq!(label_of("Antony Blinken"), Some(EntityLabel::Per));
    assert_eq!(label_of("Kim Sang Man"), Some(EntityLabel::Per));
    assert_eq!(label_of("Pyongyang University of Automation"), Some(EntityLabel::Org));
    assert_eq!(label_of("Technical Reconnaissance Bureau"), Some(EntityLabel::Org));
    assert_eq!(label_of("Vladivostok"), Some(EntityLabel::Loc));
    assert_eq!(label_of("Laos"), Some(EntityLabel::Loc));
    assert_eq!(label_of("$630 million"), Some(EntityLabel::Money));
    let blinken = entities.iter().find(|e| e.text == "Blinken").unwrap();
    assert_eq!(blinken.canonical, "Antony Blinken");
    let treasury = entities.iter().find(|e| e.text == "Treasury").unwrap();
    assert_eq!(treasury.canonical, "U.S. Department of the Treasury");
}

#[test]
fn metadata_of_other_sites() {
    let eu = article("corpus/eu-council-sanctions-hybrid-threats.html");
    assert_eq!(eu.title.as_deref(), Some("EU sanctions six individuals and three entities over hybrid attacks"));
    assert_eq!(eu.byline.as_deref(), Some("Marta Kowalczyk"));
    assert_eq!(eu.published.unwrap().to_rfc3339(), "2025-05-20T16:40:00+02:00");
    assert!(!eu.body().contains("cookie"));
    assert!(!eu.body().contains("Most read"));

    let uk = article("corpus/uk-sanctions-ransomware-gang.html");
    assert_eq!(uk.title.as_deref(), Some("UK sanctions ransomware gang members who targeted NHS suppliers"));
    assert_eq!(uk.byline.as_deref(), Some("Daniel Hughes"));
    assert_eq!(uk.language.as_deref(), Some("en"));
    assert!(uk.paragraphs.contains(&"Insurers warned".to_string()), "subheading kept");
    assert!(!uk.body().contains("Sign up") && !uk.body().contains("Rail strike"));

    let un = article("corpus/un-security-council-adds-militia-leaders.html");
    assert_eq!(un.published.unwrap().date_naive().to_string(), "2024-11-07");
    assert!(!un.body().contains("Independent news since"));

    let commerce = article("corpus/commerce-entity-list-chip-suppliers.html");
    assert_eq!(commerce.byline.as_deref(), Some("Priya Raman"));
    assert!(
        commerce.paragraphs.iter().any(|p| p.starts_with("\"We will not allow American technology")),
        "blockquote kept"
    );
    assert!(commerce.paragraphs.contains(&"Malaysia: two companies".to_string()), "list items kept");
    assert!(!commerce.body().contains("Long overdue"), "comments dropped");
}

#[test]
fn legacy_charset_declared_in_meta_is_decoded() {
    let a = article("corpus/maple-leaf-herald-canada-haiti-windows-1252.html");
    assert_eq!(a.byline.as_deref(), Some("Josée Tremblay"));
    assert_eq!(a.title.as_deref(), Some("Canada sanctions Haitian gang leaders and their financiers"));
    let body = a.body();
    assert!(body.contains("Jean Édouard Laguerre"));
    assert!(body.contains("the capital’s port"));
    assert!(body.contains("“We stand with the people of Haiti,”"));
    assert!(!body.contains('\u{FFFD}'));
    assert!(!body.contains("Snowstorm"), "sidebar dropped");
}

#[test]
fn non_english_article_keeps_its_language() {
    let a = article("corpus/le-monde-economique-sanctions-fr.html");
    assert_eq!(a.language.as_deref(), Some("fr"));
    assert_eq!(a.paragraphs.len(), 5);
    assert!(!a.body().contains("La BCE maintient"));
}

#[test]
fn section_front_has_no_body() {
    let a = article("corpus/world-section-front.html");
    assert!(a.paragraphs.is_empty(), "{:?}", a.paragraphs);
    assert_eq!(a.title.as_deref(), Some("World news"));
}

#[test]
fn designations_from_other_authorities() {
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "corpus/eu-council-sanctions-hybrid-threats.html",
            &[
                "Baltic Signal Group",
                "Severny Logistics LLC",
                "Volga Applied Research Institute",
                "Dmitri Orlov",
                "Irina Saveleva",
            ],
            "EU",
        ),
        (
            "corpus/uk-sanctions-ransomware-gang.html",
            &["Viktor Melnikov", "Pavel Sorokin", "Anastasia Belova", "Oleg Zaitsev"],
            "GB",
        ),
        (
            "corpus/un-security-council-adds-militia-leaders.html",
            &["Jean-Baptiste Mukendi", "Samuel Kasongo", "Ituri Liberation Front"],
            "UN",
        ),
        (
            "corpus/commerce-entity-list-chip-suppliers.html",
            &["Shenzhen Xinhe Electronics Co., Ltd.", "Gulfstar Components FZE", "Pinnacle Micro Sdn Bhd"],
            "US",
        ),
        (
            "corpus/maple-leaf-herald-canada-haiti-windows-1252.html",
            &[
                "Jean Édouard Laguerre",
                "Wilson « Ti Lou » Pierre",
                "Renald Fontaine",
                "Marc-André Villefranche",
                "Ronald Bélizaire",
            ],
            "CA",
        ),
    ];
    for (path, expected, country) in cases {
        let doc = document(path);
        assert_eq!(targets(&doc), expected, "{path}");
        for d in doc.designations.iter().flatten() {
            assert_eq!(d.authority.as_ref().and_then(|a| a.country.as_deref()), Some(country), "{path}: {d:?}");
        }
    }
    let commerce = document("corpus/commerce-entity-list-chip-suppliers.html");
    assert!(
        commerce
            .designations
            .iter()
            .flatten()
            .all(|d| d.action == newshound::document::DesignationAction::AddToExportControlList)
    );
}

#[test]
fn no_designations_where_none_are_made() {
    for path in ["corpus/senators-call-for-sanctions-no-designation.html", "corpus/city-marathon-record-unrelated.html"]
    {
        let doc = document(path);
        assert_eq!(targets(&doc), Vec::<String>::new(), "{path}");
    }
}

#[test]
fn context_entities_past_actions_and_proposals_are_not_designations() {
    let japan = document("corpus/tokyo-herald-japan-sanctions-crypto-hackers.html");
    let designated = targets(&japan);
    for target in ["Kumo Shadow Team", "Pak Chol Jin", "Ri Song Hui"] {
        assert!(designated.iter().any(|t| t == target), "{target} is designated: {designated:?}");
    }
    let first = &japan.designations.as_ref().unwrap()[0];
    assert_eq!(first.authority.as_ref().unwrap().country.as_deref(), Some("JP"));
    // "on Friday" in an article published Friday 2025-08-08 at 07:30 in Tokyo (Thursday in UTC).
    assert_eq!(first.date.unwrap().to_string(), "2025-08-08");
    // The hacked exchange, the quoted official and the front company designated in 2023 are context.
    for context in ["Osaka Digital Exchange", "Yoshimasa Hayashi", "Seagate Technical Services"] {
        assert!(!designated.iter().any(|t| t == context), "{context} is not designated");
    }
}

/// Known to fail (issue 31): the company president quoted about the action ("…, its president,
/// Haruki Tanabe, told reporters") scores between the candidate thresholds of the last two heads
/// (0.425 now, 0.525 before) and is taken for a designee.
#[test]
#[ignore = "known failure, issue 31: a quoted company president is taken for a designee"]
fn a_quoted_company_president_is_not_designated() {
    let japan = document("corpus/tokyo-herald-japan-sanctions-crypto-hackers.html");
    assert_eq!(targets(&japan), ["Kumo Shadow Team", "Pak Chol Jin", "Ri Song Hui"]);
}

#[test]
fn vessels_with_imo_numbers_and_delistings() {
    use newshound::document::DesignationAction;
    let doc = document("corpus/maritime-wire-ofac-tankers-delisting.html");
    let designations = doc.designations.as_ref().unwrap();
    let vessels: Vec<&str> =
        designations.iter().filter(|d| d.target.kind == TargetType::Vessel).map(|d| d.target.name.as_str()).collect();
    assert_eq!(vessels, ["OCEAN MARLIN", "SEA PEARL", "AMBER STAR"]);
    assert!(
        designations
            .iter()
            .filter(|d| d.target.kind == TargetType::Vessel)
            .all(|d| d.action == DesignationAction::IdentifyBlockedProperty)
    );
    let amber = designations.iter().find(|d| d.target.name == "AMBER STAR").unwrap();
    assert_eq!(amber.target.country.as_deref(), Some("Cameroon"));
    let delisted: Vec<&str> =
        designations.iter().filter(|d| d.action == DesignationAction::Delist).map(|d| d.target.name.as_str()).collect();
    assert_eq!(delisted, ["Aegean Star Shipping"]);
    // Sanctioned "in 2024": an earlier action, reported as background.
    assert!(!designations.iter().any(|d| d.target.name == "Helios Maritime Holdings"));
    let imo: Vec<&str> =
        doc.entities.iter().flatten().filter(|e| e.label == EntityLabel::Imo).map(|e| e.canonical.as_str()).collect();
    assert_eq!(imo, ["IMO 9345714", "IMO 9182203", "IMO 9274886"]);
}
