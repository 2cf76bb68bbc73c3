//! The body extractor end to end, on small pages built for each rule.

use scraper::Html;

use super::*;

fn body(html: &str) -> Vec<String> {
    extract_paragraphs(&Html::parse_document(html), Announced::default())
}

const PROSE: &str = "The ministry said on Tuesday that the measures, which follow months of talks, would take effect immediately and apply to all listed firms.";

/// A page whose article is a headline and then `inner`.
fn article_page(inner: &str) -> String {
    format!(r#"<html><body><article><h1>Title</h1>{inner}</article></body></html>"#)
}

#[test]
fn drops_navigation_related_lists_and_newsletters() {
    let page = format!(
        r#"<html><body><nav><a href="/">Home</a><a href="/world">World</a></nav>
        <div class="page"><article><h1>Title</h1><p>{PROSE}</p><p>{PROSE} Second.</p>
        <div class="newsletter-box"><h4>Newsletter</h4><p>Get the best stories in your inbox, every day, for free.</p></div></article>
        <section class="related-articles"><h3>Related Articles</h3><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></section></div>
        <footer>© Site</footer></body></html>"#
    );
    let paragraphs = body(&page);
    assert_eq!(paragraphs, vec![PROSE.to_string(), format!("{PROSE} Second.")]);
}

#[test]
fn headings_that_open_what_follows_end_the_article_in_its_language() {
    for heading in [
        "Schon gelesen?",
        "NOTAS RELACIONADAS",
        "Sur le même sujet",
        "Explore further",
        "Über den Autor",
        "3 Kommentare",
    ] {
        let teaser = r#"<p><a href="/a">Other story one</a> and its short teaser</p>"#;
        let page = article_page(&format!("<p>{PROSE}</p><h3>{heading}</h3>{teaser}"));
        assert_eq!(body(&page), vec![PROSE.to_string()], "{heading}");
    }
}

#[test]
fn picture_credits_and_lines_that_only_date_the_page_are_dropped() {
    for line in [
        "Foto: Kay Nietfeld",
        "(Credit: Jane Roe / Grist)",
        "Crédits photos : Agence",
        "Titelbild: dpa",
        "Aktualisiert: 11.04.2020, 10:27",
        "Last updated: 13 July 2020",
        "opublikowano: 7 kwietnia 2021",
        "19.11.2012",
        "Marco Odermatt, Ski-Star aus der Schweiz. © AFP / Jane Roe",
        "24. März 2004, 19:49 | Genesis",
        "Jane Roe · June 3, 2024",
        "Bild anzeigen Bild schließen",
    ] {
        let page = article_page(&format!("<p>{line}</p><p>{PROSE}</p>"));
        assert_eq!(body(&page), vec![PROSE.to_string()], "{line}");
    }
    // The source of a figure belongs to the text that cites it; a date the article gives, with
    // what happens then, is text.
    for kept in [
        "Quelle: Statistisches Bundesamt, 2020",
        "Termin: 28.02.2020, 18:30 Uhr",
        "Neu ab sofort (gilt auch für das Wake News © Angebot):",
    ] {
        let page = article_page(&format!("<p>{PROSE}</p><p>{kept}</p>"));
        assert_eq!(body(&page), vec![PROSE.to_string(), kept.to_string()]);
    }
}

#[test]
fn an_author_box_marked_as_a_person_is_dropped_and_names_in_the_text_kept() {
    let named = r#"<p>The pastor, <span itemscope itemtype="https://schema.org/Person">Dagmar Posner</span>, opened the sale, which raised far more than the parish had hoped for.</p>"#;
    let author = r#"<div itemprop="author" itemscope itemtype="http://schema.org/Person"><p>Jane Roe has written about wine and food for twenty-five years, as a freelance author for many magazines.</p></div>"#;
    let page = article_page(&format!("<p>{PROSE}</p>{named}{author}"));
    assert_eq!(
        body(&page),
        vec![
            PROSE.to_string(),
            "The pastor, Dagmar Posner, opened the sale, which raised far more than the parish had hoped for."
                .to_string()
        ]
    );
}

#[test]
fn the_authors_biography_at_the_end_is_dropped_and_their_name_in_the_text_kept() {
    let html = |last: &str| article_page(&format!("<p>{PROSE}</p><p>{PROSE} Second.</p><p>{last}</p>"));
    let by = |html: &str| {
        let announced = Announced { byline: Some("Matthew Humphries, Jane Roe"), ..Announced::default() };
        extract_paragraphs(&Html::parse_document(html), announced)
    };
    for bio in
        ["Matthew is the site's UK-based editor and news reporter.", "Jane Roe ist Redakteurin im Ressort Wirtschaft."]
    {
        assert_eq!(by(&html(bio)), vec![PROSE.to_string(), format!("{PROSE} Second.")], "{bio}");
    }
    // The same words are text when nobody of that name signed the article, or when the name is
    // someone else's that starts the same.
    let kept = "Matthew is the site's UK-based editor and news reporter.";
    assert_eq!(body(&html(kept)).len(), 3);
    assert_eq!(by(&html("Matthew Perry has said the show would go on.")).len(), 3);
}

#[test]
fn the_site_talking_and_its_filing_lines_are_dropped_in_any_main_language() {
    let ende =
        "Die Ministerin sagte am Dienstag, die Maßnahmen würden sofort gelten und alle gelisteten Firmen betreffen.";
    for talk in [
        "Abonnieren Sie unseren Newsletter.",
        "Den Artikel mit anderen teilen:",
        "Pour lire la suite, abonnez-vous.",
        "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
        "Submit a tip or follow us on Twitter.",
        "Wir respektieren deine Privatsphäre.",
        "Kategorie: News, Politik",
        "Veröffentlicht unter Allgemein",
        "- Anzeige -",
        "If you’re seeing this message but you’re already a subscriber, you can log in.",
        "Der Beitrag wurde am Mittwoch, den 27. November 2019 um 15:21 Uhr veröffentlicht.",
        "Klicken Sie auf den unteren Button, um den Inhalt von www.example.org zu laden.",
        "(Noch keine Bewertungen)",
        "Alles über nachhaltige Wanderschuhe findest Du hier.",
        "SUGGESTED CITATION Roe, Jane: Title, Blog, 2020/4/09, https://example.org/title/.",
    ] {
        // At the article's end, or between its paragraphs (a paywall's or a newsletter's box).
        for page in [
            format!(
                r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p><p>{ende}</p><p>{talk}</p></article></body></html>"#
            ),
            format!(
                r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p><p>{talk}</p><p>{ende}</p></article></body></html>"#
            ),
        ] {
            assert_eq!(body(&page), vec![PROSE.to_string(), ende.to_string()], "{talk}");
        }
    }
    // A sentence of the article that shares a word with such calls stays, and so does a quotation.
    for kept in [
        "Die Ergebnisse wollen die Forscher im Herbst mit anderen Instituten teilen.",
        "„Kein Abonnement erforderlich“, schrieb der Sender über sein neues Angebot.",
        "Posted in 2019, the video was seen a million times in a week.",
    ] {
        let page = format!(r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p><p>{kept}</p></article></body></html>"#);
        assert_eq!(body(&page), vec![PROSE.to_string(), kept.to_string()]);
    }
}

#[test]
fn a_heading_over_links_alone_goes_with_them() {
    let more = r#"<h2>Rund um die Rente</h2><ul><li><a href="/a">Rente mit 63</a></li><li><a href="/b">Riester-Rente</a></li></ul>"#;
    let page = format!(
        r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p>{more}<h2>Was folgt</h2><p>{PROSE} Ende.</p></article></body></html>"#
    );
    assert_eq!(body(&page), vec![PROSE.to_string(), "Was folgt".to_string(), format!("{PROSE} Ende.")]);
}

#[test]
fn keeps_br_lines_lists_quotes_and_subheadings() {
    let page = format!(
        r#"<html><body><div id="story"><p>{PROSE}<br><br>Line two of the same story, written after a break, with more words.</p>
        <h2>What happens next</h2><blockquote>{PROSE}</blockquote><ul><li>First point of the list, stated in full.</li><li>Second point.</li></ul>
        <table><tr><td>Company</td><td>Country</td></tr></table><p>{PROSE} End.</p></div></body></html>"#
    );
    let paragraphs = body(&page);
    assert!(paragraphs.contains(&"Line two of the same story, written after a break, with more words.".to_string()));
    assert!(paragraphs.contains(&"What happens next".to_string()));
    assert!(paragraphs.contains(&"First point of the list, stated in full.".to_string()));
    assert!(paragraphs.contains(&"Company Country".to_string()));
    assert!(paragraphs.last().unwrap().ends_with("End."));
}

#[test]
fn listing_pages_have_no_body() {
    let teaser = |n: usize| {
        format!(
            r#"<article><h2><a href="/s{n}">Story {n} headline here</a></h2><p>A short teaser, of a story, on the front.</p></article>"#
        )
    };
    let page = format!("<html><body><main>{}</main></body></html>", (0..8).map(teaser).collect::<String>());
    assert!(body(&page).is_empty());
    assert!(body("<html><body><ul><li><a href=/a>A</a></li></ul></body></html>").is_empty());
}

#[test]
fn text_reads_as_a_browser_shows_it() {
    let page = format!(
        r#"<html><body><article><p>{PROSE}</p><p>Mehr dazu in unserem Artikel "<a href="/x">Warum wird das Erdöl knapp?</a>". Die Fri&shy;sche bleibt.</p>
        <p>新しい<ruby>法律<rt>ほうりつ</rt></ruby>ができました。</p></article></body></html>"#
    );
    let paragraphs = body(&page);
    assert!(
        paragraphs.contains(
            &r#"Mehr dazu in unserem Artikel "Warum wird das Erdöl knapp?". Die Frische bleibt."#.to_string()
        )
    );
    assert!(paragraphs.contains(&"新しい法律ができました。".to_string()));
    // Decomposed input comes out composed.
    let decomposed = format!("<html><body><article><p>{PROSE} Cafe{}.</p></article></body></html>", '\u{301}');
    assert!(body(&decomposed)[0].ends_with("Caf\u{e9}."));
}

#[test]
fn the_lead_between_headline_and_body_is_kept_and_header_furniture_is_not() {
    let page = format!(
        r#"<html><body><div class="story"><header><h1>Title</h1><h2>A subtitle that is part of the headline</h2>
        <p class="lead">The government announced new measures on Tuesday, aimed at firms that evade the rules.</p>
        <p>Updated 11:21 pm, Tuesday</p><p><a href="/print">Print</a></p></header>
        <div class="body"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
    );
    assert_eq!(
        body(&page),
        vec![
            "The government announced new measures on Tuesday, aimed at firms that evade the rules.".to_string(),
            PROSE.to_string(),
            format!("{PROSE} Second.")
        ]
    );
}

#[test]
fn under_a_logo_in_the_h1_a_lesser_heading_titles_the_story_and_its_lead_is_kept() {
    let lead = "Child labour is not the problem in itself, the association says, but the conditions of the work.";
    let page = format!(
        r#"<html><body><h1><a href="/">Site name</a></h1><div class="content"><h2>Children and work</h2>
        <div class="leader"><p>{lead}</p></div><p><a href="/print">Print</a></p>
        <div class="text"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
    );
    assert_eq!(body(&page), vec![lead.to_string(), PROSE.to_string(), format!("{PROSE} Second.")]);
}

#[test]
fn the_page_summary_shown_before_the_body_is_its_lead_however_far_from_the_headline() {
    let summary = "Penalties for those who refuse to isolate are to rise to a maximum of ten thousand pounds for repeat offenders";
    let most_read: String = (1..=12).map(|n| format!("<li>Story {n}</li>")).collect();
    let page = format!(
        r#"<html><body><div class="story"><h1>Title</h1><ul>{most_read}</ul>
        <div class="standfirst"><p>{summary}</p></div>
        <div class="body"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
    );
    let summaries = [format!("{summary}."), "A short subtitle".to_string()];
    let announced = Announced { title: Some("Title"), summaries: &summaries, ..Announced::default() };
    assert_eq!(
        extract_paragraphs(&Html::parse_document(&page), announced),
        vec![summary.to_string(), PROSE.to_string(), format!("{PROSE} Second.")]
    );
    // Without the summary, the line is neither lead (no sentence) nor next to the headline.
    assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
}

#[test]
fn a_deck_under_the_headline_is_kept_whether_or_not_it_ends_like_a_sentence() {
    let deck = "In the United States activists are calling for a rent freeze in the crisis and warn landlords";
    let page = format!(
        r#"<html><body><div class="story"><h1>Title</h1><h2>{deck}</h2><p class="byline">Jane Roe</p>
        <div class="body"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
    );
    assert_eq!(body(&page), vec![deck.to_string(), PROSE.to_string(), format!("{PROSE} Second.")]);
    let subtitle = page.replace(deck, "Activists call for a rent freeze");
    assert_eq!(body(&subtitle), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
}

#[test]
fn text_repeating_an_image_description_is_its_caption_unless_images_illustrate_most_of_it() {
    let alt = "A small round cut-out for the front camera in the display";
    let picture =
        format!(r#"<div class="pic"><img src="/a.jpg" alt="{alt}"><div class="box"><b>Enlarge</b> {alt}.</div></div>"#);
    let page = article_page(&format!("<p>{PROSE}</p>{picture}<p>{PROSE} Second.</p>"));
    assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
    // Steps each shown with a picture of themselves are the text.
    let steps: Vec<String> =
        (1..=3).map(|n| format!("Step {n}: stir the butter, the sugar and the eggs into a smooth dough.")).collect();
    let illustrated: String = steps.iter().map(|s| format!(r#"<img src="/s.jpg" alt="{s}"><p>{s}</p>"#)).collect();
    let page = article_page(&format!("<p>{PROSE}</p>{illustrated}"));
    assert_eq!(body(&page), std::iter::once(PROSE.to_string()).chain(steps).collect::<Vec<_>>());
}

#[test]
fn a_class_name_the_page_builder_gives_every_block_marks_nothing() {
    let block =
        |text: &str| format!(r#"<div class="pb-widget"><div class="pb-widget-container"><p>{text}</p></div></div>"#);
    let texts: Vec<String> = (1..=5).map(|i| format!("{PROSE} Part {i}.")).collect();
    let sidebar =
        r#"<div class="widget"><p>Our shop has new offers every week, with free shipping on all orders.</p></div>"#;
    let page = format!(
        "<html><body><div class=main>{}</div>{sidebar}</body></html>",
        texts.iter().map(|t| block(t)).collect::<String>()
    );
    assert_eq!(body(&page), texts);
}

#[test]
fn a_list_that_outweighs_the_paragraphs_around_it_is_still_part_of_the_article() {
    let items: String = (1..=6).map(|i| format!("<li>{PROSE} Tip {i}, with more words, and more.</li>")).collect();
    let intro = "Here are the tips, in order:";
    let page = format!(
        r#"<html><body><div class="entry"><p>{intro}</p><ol>{items}</ol><p>Good luck!</p></div></body></html>"#
    );
    let paragraphs = body(&page);
    assert_eq!(paragraphs.first().map(String::as_str), Some(intro));
    assert_eq!(paragraphs.last().map(String::as_str), Some("Good luck!"));
    assert_eq!(paragraphs.len(), 8);
}

#[test]
fn teasers_built_alike_that_close_the_article_are_dropped_and_a_short_post_among_them_kept() {
    let card = |i: usize| {
        format!(
            r#"<div class="card"><h3><a href="/story-{i}">Another story of the day, number {i}</a></h3><p>What happened next in story {i}, told in brief.</p></div>"#
        )
    };
    let cards: String = (1..=3).map(card).collect();
    let page =
        format!(r#"<html><body><div class="story"><p>{PROSE}</p><p>{PROSE} Second.</p>{cards}</div></body></html>"#);
    assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
    // A blog's front page showing one short post in full, as a card like the others.
    let post = format!(
        r#"<div class="card"><h3><a href="/post">The post of the day, in full here</a></h3><p>{PROSE}</p></div>"#
    );
    let page = format!(r#"<html><body><div class="posts">{post}{}</div></body></html>"#, card(1));
    assert!(body(&page).contains(&PROSE.to_string()));
}

#[test]
fn captions_are_the_article_only_on_a_gallery() {
    let figure = |n: usize| {
        format!(
            r#"<figure><img src="/{n}.jpg"><figcaption class="slide-caption">Look {n}: a long coat, a wide hat and boots, and the costume is ready for the night.</figcaption></figure>"#
        )
    };
    let gallery = article_page(&format!("<p>{PROSE}</p>{}", (1..=6).map(figure).collect::<String>()));
    let paragraphs = body(&gallery);
    assert_eq!(paragraphs.len(), 7);
    assert!(paragraphs[6].starts_with("Look 6: a long coat"));
    // One picture beside an article: its caption is a note, not the text.
    let article = article_page(&format!("<p>{PROSE}</p>{}<p>{PROSE} Second.</p>", figure(1)));
    assert_eq!(body(&article), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
}

#[test]
fn a_long_sidebar_beside_a_marked_article_is_not_the_article() {
    let widget = (1..=8)
        .map(|n| format!("<p>{n}. The party wants more of this, more of that, and all of it, soon.</p>"))
        .collect::<String>();
    let page = format!(
        r#"<html><body><div id="content"><article><h1>Title</h1><p>{PROSE}</p><p>{PROSE} Second.</p><p>{PROSE} Third.</p></article></div><aside class="widget"><div class="textwidget">{widget}</div></aside></body></html>"#
    );
    assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second."), format!("{PROSE} Third.")]);
    // Without an `<article>` or `<main>`, an `<aside>` holding most of the text may be the layout.
    let unmarked = page.replace("<article>", "<div>").replace("</article>", "</div>");
    assert!(body(&unmarked).iter().any(|p| p.starts_with("8. The party")));
}

#[test]
fn a_phrase_of_a_paragraph_is_kept_whatever_its_class() {
    let page = article_page(&format!(
        r#"<p><span class="dateline">KOBE – </span>{PROSE}</p><p><span class="byline">By Jane Roe</span></p><p>{PROSE} Second.</p>"#
    ));
    assert_eq!(body(&page), vec![format!("KOBE – {PROSE}"), format!("{PROSE} Second.")]);
}

#[test]
fn a_listing_gives_way_to_the_article_and_scripted_pages_are_read_from_noscript() {
    let teaser = |n: usize| {
        format!(
            r#"<article><h2><a href="/s{n}">Story {n} headline here</a></h2><p>A short teaser, of a story, on the front, with, commas, to, win, votes.</p></article>"#
        )
    };
    let page = format!(
        r#"<html><body><div class="slider">{}</div><section><p>{PROSE}</p><p>{PROSE} One.</p><p>{PROSE} Two.</p></section></body></html>"#,
        (0..8).map(teaser).collect::<String>()
    );
    assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} One."), format!("{PROSE} Two.")]);
    let scripted = format!(
        r#"<html><body><div id="app"></div><noscript><article><p>{PROSE}</p><p>{PROSE} One.</p><p>{PROSE} Two.</p><p>{PROSE} Three.</p></article></noscript></body></html>"#
    );
    assert_eq!(body(&scripted).len(), 4);
}
