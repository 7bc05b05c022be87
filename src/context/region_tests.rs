use super::*;

#[test]
fn known_regions_pass_and_typos_get_the_nearest_name() {
    assert!(check("us-east-1", false).is_ok());
    assert!(check("eu-central-2", false).is_ok());
    assert!(check("cn-northwest-1", false).is_ok());
    assert!(check("us-gov-west-1", false).is_ok());

    let e = check("us-east-9", false).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.message.contains("`us-east-9` is not an AWS region"));
    let hint = e.hint.unwrap();
    assert!(hint.starts_with("did you mean us-east-1?"), "{hint}");
    assert!(hint.contains("newer evrelay"), "{hint}");

    let e = check("US-EAST-1", false).unwrap_err();
    let hint = e.hint.unwrap();
    assert!(hint.starts_with("did you mean us-east-1?"), "{hint}");
    // Only a case slip: not a new region.
    assert!(!hint.contains("newer evrelay"), "{hint}");

    let e = check("virginia", false).unwrap_err();
    assert!(e
        .hint
        .unwrap()
        .starts_with("pass --region with an AWS region"));
}

#[test]
fn the_global_pseudo_regions_are_not_regions() {
    assert!(!known().iter().any(|r| r.ends_with("-global")));
    assert!(check("aws-global", false).is_err());
}

#[test]
fn a_custom_endpoint_takes_any_well_formed_name_but_not_a_case_slip() {
    assert!(check("us-east-9", true).is_ok());
    assert!(check("local", true).is_ok());
    assert!(check("US-EAST-1", true).is_err());
}

#[test]
fn distance_counts_edits() {
    assert_eq!(distance("us-east-1", "us-east-1"), 0);
    assert_eq!(distance("us-east-9", "us-east-1"), 1);
    assert_eq!(distance("useast1", "us-east-1"), 2);
    assert_eq!(distance("", "abc"), 3);
}

/// The copy is the SDK's: when `Cargo.lock` moves to an aws-sdk-sts whose partition data
/// differs, this fails until `partitions.json` is refreshed from it. Skipped (with a note) only
/// where the crate's source is not in the cargo registry, e.g. a vendored build.
#[test]
fn the_partition_data_is_the_one_the_sdk_in_cargo_lock_carries() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(manifest.join("Cargo.lock")).unwrap();
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"aws-sdk-sts\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .expect("aws-sdk-sts in Cargo.lock");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))
        .unwrap();
    let source = std::fs::read_dir(cargo_home.join("registry/src"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| {
            d.path()
                .join(format!("aws-sdk-sts-{version}/src/endpoint_lib.rs"))
        })
        .find(|p| p.exists());
    let Some(source) = source else {
        eprintln!("aws-sdk-sts {version} source not in the cargo registry; not compared");
        return;
    };
    let text = std::fs::read_to_string(source).unwrap();
    let start = text.find("new_from_json(b\"").unwrap() + "new_from_json(b\"".len();
    let end = start + text[start..].find("\")").unwrap();
    let json = text[start..end].replace("\\\"", "\"").replace("\\\\", "\\");
    let sdk: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ours: serde_json::Value = serde_json::from_str(PARTITIONS).unwrap();
    assert_eq!(
        ours, sdk,
        "refresh src/context/partitions.json from aws-sdk-sts {version}'s endpoint_lib.rs"
    );
}
