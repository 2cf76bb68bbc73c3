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
    // Ordinary news: pages that report no sanctions action.
    let general = dir.path().join("ordinary-news");
    std::fs::create_dir_all(&general).unwrap();
    for page in ["city-marathon-record-unrelated.html", "world-section-front.html"] {
        std::fs::copy(format!("corpus/{page}"), general.join(page)).unwrap();
    }
    let out = newshound(&[
        "-q",
        "train-designations",
        "--gold",
        "corpus/designations.jsonl",
        "--general",
        general.to_str().unwrap(),
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
        "--seed",
        "13",
        "--seed",
        "14",
        "--predictions",
        predictions.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8(out.stdout).unwrap();
    for seed in ["13", "14"] {
        assert!(report.contains(&format!("cross-validated ({seed}) corpus/designations")), "{report}");
        assert!(report.contains(&format!("cross-validated ({seed}) ordinary-news")), "{report}");
    }
    assert!(report.contains("in-sample corpus/designations"), "{report}");
    assert!(report.contains("of 2 pages give any designation"), "{report}");

    // One out-of-fold prediction line per labelled text, in the scorer's format.
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&predictions).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 12);
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

/// `--tune-epochs`: a copy of the encoder layer the head reads trains with the candidate scorer; the
/// report gives the folds' figures before tuning beside, and `extract` runs the tuned copy.
#[test]
fn fine_tuning_trains_a_copy_of_the_encoder_layer_that_extract_runs() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir_all(&model).unwrap();
    copy_encoder(&model);
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
        "--tune-epochs",
        "2",
        "--tune-learning-rate",
        "1e-4",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("cross-validated (13) corpus/designations"), "{report}");
    assert!(report.contains("before tuning (13) corpus/designations"), "{report}");

    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("designations.json")).unwrap()).unwrap();
    assert_eq!(config["tuned_layer"]["hidden_size"], 384, "{config}");
    // The copy moved away from the encoder's own layer 4.
    let load = |path: std::path::PathBuf| candle_core::safetensors::load(path, &candle_core::Device::Cpu).unwrap();
    let head = load(model.join("designations.safetensors"));
    let encoder = load(model.join("model.safetensors"));
    let values = |t: &candle_core::Tensor| {
        t.to_dtype(candle_core::DType::F32).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap()
    };
    let tuned = values(&head["tuned.attention.self.query.weight"]);
    let original = values(&encoder["encoder.layer.3.attention.self.query.weight"]);
    assert_eq!(tuned.len(), original.len());
    assert!(tuned.iter().zip(&original).any(|(a, b)| (a - b).abs() > 1e-5), "the layer was not tuned");

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
        r#"{"gate": {"features": 3, "hidden": 0, "members": 1, "threshold": 0.5},
            "candidates": {"features": 3, "hidden": 0, "members": 1, "threshold": 0.5}, "encoder_layer": 4}"#,
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

/// Extracts each text (title line, blank line, body) and returns the names it designates.
fn designated_in(texts: &[&str]) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let path = dir.path().join(format!("text-{i}.txt"));
        std::fs::write(&path, text).unwrap();
        paths.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["-q", "extract", "--jsonl"];
    args.extend(paths.iter().map(String::as_str));
    let out = newshound(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), texts.len());
    docs.iter()
        .map(|d| {
            let designations = d["designations"].as_array().cloned().unwrap_or_default();
            designations.iter().map(|x| x["target"]["name"].as_str().unwrap().to_string()).collect()
        })
        .collect()
}

#[test]
fn a_proposal_designates_no_one() {
    // Issue 31's example: a proposal is no designation.
    let found = designated_in(&["EU ministers proposed adding the tanker SEA DRAGON to the list.\n"]);
    assert_eq!(found, [Vec::<String>::new()]);
}

#[test]
fn ordinary_news_that_uses_the_action_words_designates_no_one() {
    // Markets, sport and science say "listed", "penalty", "banned", "restricted" and "target" too.
    // Written for this test; no such text trained the head.
    let texts = [
        "Chip designer lists on Nasdaq\n\nShares of Helio Semiconductor rose 18 percent in their first day of \
         trading after the company listed on the Nasdaq, raising $640 million. Analysts at Morgan Stanley set a \
         price target of $52, citing demand for data-centre chips. Chief executive Anna Weber said the proceeds \
         would fund a new plant in Arizona.\n",
        "Late penalty sends Arsenal top\n\nBukayo Saka converted a penalty in the 88th minute as Arsenal beat \
         Aston Villa 2-1. Villa defender Ezri Konsa was shown a red card and will be banned for the match against \
         Chelsea. Mikel Arteta said his side had targeted the title from the first day of the season.\n",
        "Drug trial meets its target\n\nA phase III trial of Norvexa's heart drug met its primary target, the \
         company said. Regulators had restricted the drug's use in 2021 after reports of side effects. The \
         European Medicines Agency listed the study as a priority review.\n",
    ];
    for (text, found) in texts.iter().zip(designated_in(&texts)) {
        assert!(found.is_empty(), "{found:?} designated in {}", text.lines().next().unwrap());
    }
}

/// Known to fail (issue 31): a short brief whose headline and first sentence are about a player
/// "designated for assignment", or a party that "designated" a date and "endorsed" a candidate,
/// passes the gate (trained on longer pages), and the head takes the people named for designees.
#[test]
#[ignore = "known failure, issue 31: short sport and election briefs pass the gate"]
fn short_briefs_that_say_designated_designate_no_one() {
    let texts = [
        "Rangers designate veteran reliever for assignment\n\nThe Texas Rangers designated right-hander Tom \
         Keller for assignment on Sunday and recalled Luis Ortega from Triple-A Round Rock. Keller, 34, had a 6.12 \
         ERA in 19 appearances. Manager Bruce Bochy said the club needed a fresh arm for the series against the \
         Seattle Mariners.\n",
        "Governor endorses Martinez for Senate\n\nGovernor Laura Kelly endorsed state senator Ruben Martinez in \
         the Democratic primary on Tuesday. Martinez, who is listed first on the ballot, said he would target \
         rural voters. The Kansas Democratic Party designated August 5 as the date for the candidates' debate.\n",
    ];
    for (text, found) in texts.iter().zip(designated_in(&texts)) {
        assert!(found.is_empty(), "{found:?} designated in {}", text.lines().next().unwrap());
    }
}
