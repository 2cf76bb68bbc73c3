//! The web page in headless Chromium, driven by Playwright (`tests/web/page.mjs`) against the real
//! server: load, search, click a facet, open an entity, open the timeline; list badges on targets.
//!
//! Needs Debian's `chromium` and `npm ci --prefix tests/web`; `.ci/run` installs both.

use std::path::Path;
use std::process::Command;

mod common;
use common::{ingest_with, start_server, write_config};

#[test]
fn the_web_page_searches_filters_and_opens_entities_in_chromium() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web");
    assert!(
        web.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci --prefix tests/web` (.ci/run does)"
    );
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some(),
        "Chromium is missing: apt-get install chromium (.ci/run does)"
    );

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    // OFAC's list as of 2024-05-03, so designated targets show how they stand on it.
    let sdn =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ofac-sdn-history/snapshots/sdn-2024-05-03.csv");
    let store = newshound::lists::ListStore::open(&dir.path().join("lists"));
    let (list, date) = (newshound::lists::ListId::OfacSdn, "2024-05-03".parse().unwrap());
    store.import(list, &std::fs::read(sdn).unwrap(), &[], date, Default::default()).unwrap();
    ingest_with(&config, &["corpus/"]);
    let (server, base) = start_server(&config);

    let run = Command::new("node").arg(web.join("page.mjs")).arg(&base).output().expect("node runs");
    drop(server);
    assert!(run.status.success(), "{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
}
