//! The destroy plan: what it lists, and when held events refuse an unattended destroy.

use super::*;

fn dlq(n: Option<u64>) -> QueueLine {
    QueueLine {
        name: "orders-dlq".into(),
        messages: n,
    }
}

fn plan_holding(n: Option<u64>) -> Plan {
    Plan {
        stack: "orders".into(),
        account: "123456789012".into(),
        region: "us-east-1".into(),
        stack_status: Some("CREATE_COMPLETE".into()),
        resources: vec![("AWS::Events::EventBus".into(), "orders-bus".into())],
        queues: vec![dlq(n)],
        log_groups: vec!["/aws/lambda/orders-relay".into()],
        held: failed_events("orders", &dlq(n)).into_iter().collect(),
        ..Plan::default()
    }
}

#[test]
fn an_unattended_destroy_refuses_while_the_dlq_holds_failed_events() {
    let plan = plan_holding(Some(2));
    let e = refusal(&plan, true, &[]).expect("refused");
    assert_eq!(e.exit_code(), 1);
    assert!(
        e.message.contains("orders-dlq holds 2 failed events"),
        "{}",
        e.message
    );
    assert!(!e.message.contains('\n'));
    let hint = e.hint.unwrap();
    assert!(
        hint.contains("evrelay --stack orders dlq drain --out FILE"),
        "{hint}"
    );
    assert!(hint.contains("--delete-failed-events"), "{hint}");
    // Said so: the events may go. Asked on a terminal: the prompt names them instead.
    assert!(refusal(&plan, true, &[HeldKind::Failed]).is_none());
    assert!(refusal(&plan, false, &[]).is_none());
    // The other kind's flag does not let these go.
    assert!(refusal(&plan, true, &[HeldKind::Buffered]).is_some());
    // Nothing held, nothing to refuse.
    assert!(refusal(&plan_holding(Some(0)), true, &[]).is_none());
    assert!(refusal(&plan_holding(None), true, &[]).is_none());
    let one = refusal(&plan_holding(Some(1)), true, &[]).unwrap();
    assert!(
        one.message.contains("holds 1 failed event that"),
        "{}",
        one.message
    );
}

#[test]
fn the_plan_lists_resources_queues_with_depth_log_groups_and_the_failed_events() {
    let plan = plan_holding(Some(2));
    let text = plan.lines().join("\n");
    for part in [
        "in account 123456789012, us-east-1",
        "stack orders (CREATE_COMPLETE)",
        "AWS::Events::EventBus  orders-bus",
        "queues: orders-dlq (2 messages)",
        "log groups: /aws/lambda/orders-relay",
        "orders-dlq holds 2 failed events; they are deleted with it. To keep them, drain them to a file first: `evrelay --stack orders dlq drain --out FILE`",
    ] {
        assert!(text.contains(part), "{part}\n{text}");
    }
    assert!(plan.question().contains("2 failed events included"));
    assert!(!plan.is_empty());
    assert!(Plan::default().is_empty());
    let empty = plan_holding(Some(0));
    assert!(empty.lines().join("\n").contains("orders-dlq (empty)"));
    assert!(!empty.question().contains("failed"));
}

#[test]
fn a_buffer_holding_events_refuses_too_and_only_its_own_flag_lets_them_go() {
    let buffer = QueueLine {
        name: "orders-buffer".into(),
        messages: Some(3),
    };
    let mut plan = plan_holding(Some(2));
    plan.queues.push(buffer.clone());
    plan.held.extend(buffered_events("orders", &buffer));
    let text = plan.lines().join("\n");
    for part in [
        "queues: orders-dlq (2 messages), orders-buffer (3 messages)",
        "orders-buffer holds 3 buffered events; they are deleted with it. To keep them, let the relay deliver them first (`evrelay --stack orders status` shows the buffer's backlog)",
    ] {
        assert!(text.contains(part), "{part}\n{text}");
    }
    assert!(
        plan.question()
            .contains("2 failed events and 3 buffered events included"),
        "{}",
        plan.question()
    );
    let e = refusal(&plan, true, &[]).unwrap();
    assert!(
        e.message.contains("orders-dlq holds 2 failed events, orders-buffer holds 3 buffered events that would be lost"),
        "{}",
        e.message
    );
    let hint = e.hint.unwrap();
    assert!(
        hint.contains("--delete-failed-events and --delete-buffered-events"),
        "{hint}"
    );
    // --delete-failed-events alone: the buffer still refuses, and only it is named.
    let e = refusal(&plan, true, &[HeldKind::Failed]).unwrap();
    assert!(!e.message.contains("orders-dlq"), "{}", e.message);
    assert!(e.message.contains("orders-buffer holds 3 buffered events"));
    assert!(!e.hint.unwrap().contains("--delete-failed-events"));
    assert!(refusal(&plan, true, &[HeldKind::Failed, HeldKind::Buffered]).is_none());
    let empty = QueueLine {
        messages: Some(0),
        ..buffer
    };
    assert!(buffered_events("orders", &empty).is_none());
}

#[test]
fn a_missing_stack_is_a_rerun_when_it_was_deleted_and_a_mistake_when_it_never_was() {
    assert_eq!(missing(Some(7), false), Missing::AlreadyDeleted { at: 7 });
    assert_eq!(missing(Some(7), true), Missing::AlreadyDeleted { at: 7 });
    assert_eq!(missing(None, true), Missing::Ignored);
    assert_eq!(missing(None, false), Missing::NeverExisted);
}
