//! The designation head: trained by `train-designations` on labelled texts with a cross-validation by
//! document, loaded beside the NER model it reads, and used by `extract`.

use std::process::Command;

mod common;

use common::copy_encoder;

fn newshound(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newshound")).args(args).output().unwrap()
}

#[test]
fn train_designations_cross_validates_and_writes_a_head_that_extract_loads() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir_all(&model).unwrap();
    copy_encoder(&model);
    let predictions = dir.path().join("cv.jsonl");
    let model_arg = model.to_str().unwrap();
    let out = newshound(&[
        "-q",
        "train-designations",
        "--gold",
        "corpus/designations.jsonl",
        "--model",
        model_arg,
        "--out",
        model_arg,
        "--folds",
        "2",
        "--members",
        "2",
        "--epochs",
        "60",
        "--predictions",
        predictions.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("cross-validated corpus/designations"), "{report}");
    assert!(report.contains("in-sample corpus/designations"), "{report}");

    // One out-of-fold prediction line per labelled text, in the scorer's format.
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&predictions).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 10);
    assert!(lines.iter().all(|l| l["id"].is_string() && l["designations"].is_array()));

    // The head sits beside the encoder it was trained on, and extract uses the pair.
    for name in ["designations.json", "designations.safetensors", "designations-training.json"] {
        assert!(model.join(name).is_file(), "{name} written");
    }
    let out =
        newshound(&["-q", "extract", "--jsonl", "--model", model_arg, "corpus/uk-sanctions-ransomware-gang.html"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["designations"].is_array());
}

#[test]
fn a_model_folder_without_its_head_is_named_with_the_way_to_train_one() {
    let dir = tempfile::tempdir().unwrap();
    copy_encoder(dir.path());
    let out =
        newshound(&["extract", "--model", dir.path().to_str().unwrap(), "corpus/uk-sanctions-ransomware-gang.html"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("designations.json") && stderr.contains("train-designations"), "{stderr}");

    std::fs::write(
        dir.path().join("designations.json"),
        r#"{"features": 3, "hidden": 0, "members": 1, "threshold": 0.5, "encoder_layer": 4}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("designations.safetensors"), b"not weights").unwrap();
    let out =
        newshound(&["extract", "--model", dir.path().to_str().unwrap(), "corpus/uk-sanctions-ransomware-gang.html"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("designations.safetensors"), "{stderr}");
}

#[test]
fn a_plain_news_sentence_gives_both_targets_an_asset_freeze() {
    // Issue 11's example.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("example.txt");
    std::fs::write(
        &page,
        "Ship manager and owner sanctioned\n\nThe measures target Baltic Freight Lines FZE, a Sharjah-registered ship \
         manager, and its owner Anton Viktorovich Kessler, who are now subject to an asset freeze and a travel ban.\n",
    )
    .unwrap();
    let out = newshound(&["-q", "extract", "--jsonl", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let designations = doc["designations"].as_array().unwrap();
    let target = |name: &str| designations.iter().find(|d| d["target"]["name"] == name);
    let kessler = target("Anton Viktorovich Kessler").expect("the owner is designated");
    let company = target("Baltic Freight Lines FZE").expect("the ship manager is designated");
    assert_eq!(designations.len(), 2, "{designations:?}");
    assert_eq!(kessler["action"], "asset_freeze");
    assert_eq!(company["action"], "asset_freeze");
    assert_eq!(company["target"]["type"], "company");
    // A score, printed as such: two decimals, never 0.70000005.
    let confidence = kessler["confidence"].to_string();
    assert!(confidence.len() <= 4, "{confidence}");
    assert_eq!(kessler["target"]["type"], "person");
}
