use super::*;

#[test]
fn both_empty_change_set_messages_mean_up_to_date() {
    assert!(is_no_changes("The submitted information didn't contain changes. Submit different information to create a change set."));
    assert!(is_no_changes("No updates are to be performed."));
    assert!(!is_no_changes(
        "Template format error: unsupported structure."
    ));
}

#[test]
fn a_kept_change_set_is_evrelay_s_but_not_a_running_deploy_s() {
    let (name, running, kept) = ("evrelay-1-abc", Some(DESCRIPTION), Some(KEPT_DESCRIPTION));
    assert!(is_evrelay_change_set(Some(name), running));
    assert!(is_evrelay_change_set(Some(name), kept));
    assert!(!is_evrelay_change_set(Some("other"), running));
    assert!(!is_evrelay_change_set(Some(name), Some("sam deploy")));
    assert!(is_running_deploy(name, running));
    assert!(!is_running_deploy(name, kept));
}

#[test]
fn change_set_names_start_with_a_letter() {
    let n = change_set_name();
    assert!(n.starts_with("evrelay-") && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    assert_ne!(n, change_set_name(), "unique within a second");
}

// ExecutionStatus values: DescribeChangeSet in the CloudFormation API reference.
#[test]
fn a_change_set_that_ran_or_is_running_counts_as_started() {
    let at = |execution_status: &str| ChangeSetInfo {
        id: "id".into(),
        name: "evrelay-1-abcdef".into(),
        stack_id: "sid".into(),
        stack_name: "s".into(),
        status: "CREATE_COMPLETE".into(),
        execution_status: execution_status.into(),
        status_reason: None,
        description: None,
        parameters: Vec::new(),
        tags: Vec::new(),
        changes: Vec::new(),
    };
    for s in ["EXECUTE_IN_PROGRESS", "EXECUTE_COMPLETE", "EXECUTE_FAILED"] {
        assert!(at(s).execution_started() && !at(s).executable(), "{s}");
    }
    for s in ["AVAILABLE", "UNAVAILABLE", "OBSOLETE"] {
        assert!(!at(s).execution_started(), "{s}");
    }
    assert!(at("AVAILABLE").executable());
}
