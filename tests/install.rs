//! `cargo install` puts a binary that works from anywhere: with the build tree hidden, from an empty
//! directory, with the model built in and config and index in the user's XDG folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CRATE_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Installs newshound into `root` (a debug build, so the test reuses the test build's artifacts).
fn install(root: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["install", "--quiet", "--offline", "--locked", "--debug", "--path", CRATE_DIR, "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo install failed: {}", String::from_utf8_lossy(&out.stderr));
    root.join("bin/newshound")
}

/// Runs the installed binary in `cwd` with `home` as its home, in a mount namespace where the build tree
/// is an empty folder: whatever the binary needs from the tree, it no longer finds.
fn run_hidden(binary: &Path, home: &Path, cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let empty = tempfile::tempdir().unwrap();
    let as_root = unsafe { libc::geteuid() } == 0;
    let mut command = Command::new("unshare");
    // Without root, a user namespace lets the test mount.
    command.args(if as_root { vec!["--mount"] } else { vec!["--mount", "--map-root-user"] });
    command
        .args(["sh", "-c", r#"mount --bind "$0" "$1" && shift && exec "$@""#])
        .arg(empty.path())
        .arg(CRATE_DIR)
        .arg(binary)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home);
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command.output().expect("unshare (util-linux) runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("mount:") && !stderr.contains("unshare:"), "cannot hide the build tree: {stderr}");
    // Off a terminal, log lines are plain text.
    assert!(!stderr.contains('\x1b'), "colour codes in a log that is not a terminal: {stderr}");
    out
}

fn succeeded(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn installed_binary_works_from_anywhere_without_the_build_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let binary = install(&tmp.path().join("root"));
    let home = tmp.path().join("home");
    let work = tmp.path().join("work");
    let pages = tmp.path().join("pages");
    for dir in [&home, &work, &pages] {
        std::fs::create_dir_all(dir).unwrap();
    }
    for entry in std::fs::read_dir(Path::new(CRATE_DIR).join("corpus")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, pages.join(path.file_name().unwrap())).unwrap();
    }
    let pages_arg = pages.to_str().unwrap();
    let seed_page = pages.join("panamatimes-us-sanctions-north-korea-cyber.html");

    // No config anywhere: the index goes to the XDG data folder, the model is the built-in one.
    let out = succeeded(&run_hidden(&binary, &home, &work, &["ingest", pages_arg], &[]));
    let index = home.join(".local/share/newshound/index");
    assert!(out.contains(&format!("into {}", index.display())), "{out}");
    assert!(index.join("meta.json").is_file());
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 0, "nothing is written to the working directory");

    let out = succeeded(&run_hidden(&binary, &home, &work, &["search", "Kim Sang Man"], &[]));
    assert!(out.contains("designations: ") && out.contains("Kim Sang Man (person)"), "{out}");

    let out = succeeded(&run_hidden(&binary, &home, &work, &["extract", "--jsonl", seed_page.to_str().unwrap()], &[]));
    let article: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let targets: Vec<&str> =
        article["designations"].as_array().unwrap().iter().map(|d| d["target"]["name"].as_str().unwrap()).collect();
    assert!(targets.contains(&"Kim Sang Man"), "{targets:?}");

    // The user's config file, with an index path relative to it, serves every directory.
    let config_dir = home.join(".config/newshound");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "[index]\npath = \"my-index\"\n").unwrap();
    succeeded(&run_hidden(&binary, &home, &work, &["-q", "ingest", seed_page.to_str().unwrap()], &[]));
    assert!(config_dir.join("my-index/meta.json").is_file());
    let out = succeeded(&run_hidden(&binary, &home, &pages, &["designations", "--json"], &[]));
    assert!(out.contains("Kim Sang Man"), "{out}");

    // XDG_CONFIG_HOME moves the config folder; with no config there, XDG_DATA_HOME has the index.
    let xdg_data = tmp.path().join("xdg-data");
    let env = [("XDG_CONFIG_HOME", tmp.path()), ("XDG_DATA_HOME", xdg_data.as_path())];
    let out = succeeded(&run_hidden(&binary, &home, &work, &["ingest", seed_page.to_str().unwrap()], &env));
    assert!(out.contains(&format!("into {}", xdg_data.join("newshound/index").display())), "{out}");

    // A model folder named by NEWSHOUND_MODEL is used instead of the built-in one, and a bad one is named.
    let bad_model = tmp.path().join("bad-model");
    std::fs::create_dir_all(&bad_model).unwrap();
    let out = run_hidden(
        &binary,
        &home,
        &work,
        &["extract", seed_page.to_str().unwrap()],
        &[("NEWSHOUND_MODEL", bad_model.as_path())],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&bad_model.join("config.json").display().to_string()), "{stderr}");
}
