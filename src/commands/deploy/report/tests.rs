//! What deploy prints, rendered.

mod result {
    use super::super::*;

    #[test]
    fn outputs_fall_back_to_the_derived_names() {
        let names = RelayNames::new("s1");
        let r = DeployResult::succeeded(&names, None, Operation::Create, None, vec![], false);
        assert_eq!(r.outputs_source, "names");
        assert!(r
            .outputs
            .iter()
            .any(|o| o.key == "BusName" && o.value == "s1-bus"));
        let info = StackInfo {
            name: "s1".into(),
            id: "arn".into(),
            status: "CREATE_COMPLETE".into(),
            reason: None,
            role_arn: None,
            outputs: vec![StackOutput {
                key: "BusName".into(),
                value: "s1-bus".into(),
                description: None,
            }],
            parameters: vec![],
            tags: vec![],
        };
        let r =
            DeployResult::succeeded(&names, Some(&info), Operation::Create, None, vec![], false);
        assert_eq!((r.outputs_source, r.outputs.len()), ("stack", 1));
    }
}

mod render {
    use super::super::super::alarms::Alarms;
    use super::super::*;

    const PLAIN: Style = Style { color: false };

    #[test]
    fn an_update_change_set_shows_modifications_and_replacements() {
        let row = |action: &str, id: &str, rtype: &str, replacement: &str| ChangeRow {
            action: action.into(),
            logical_id: id.into(),
            resource_type: rtype.into(),
            replacement: replacement.into(),
        };
        let report = ChangeSetReport::new(
            "relay-app",
            Operation::Update,
            vec![
                row("Modify", "Function", "AWS::Lambda::Function", "False"),
                row("Modify", "InboundRule", "AWS::Events::Rule", "Conditional"),
                row("Modify", "Dlq", "AWS::SQS::Queue", "True"),
                row("Remove", "OldThing", "AWS::SNS::Topic", ""),
            ],
            vec![EndpointAction {
                service: "secretsmanager".into(),
                action: "reuse".into(),
                id: Some("vpce-0a1b2c3d".into()),
                why: "existing interface endpoint with private DNS".into(),
            }],
        )
        .at("123456789012", "us-east-1");
        insta::assert_snapshot!(report.render(&PLAIN));
    }

    #[test]
    fn a_parameter_only_update_says_so_and_shows_the_parameters() {
        let mut report = ChangeSetReport::new("relay-app", Operation::Update, vec![], vec![])
            .at("123456789012", "us-east-1");
        report.parameters = vec![super::super::super::param_changes::ParamChange {
            key: "ReadTimeoutSeconds".into(),
            old: Some("10".into()),
            new: "20".into(),
        }];
        let text = crate::printer::at_width(Some(80), || report.render(&PLAIN));
        assert!(
            text.starts_with("Change set for stack relay-app (update) in account 123456789012, us-east-1: no resource changes; parameters change:\n PARAMETER"),
            "{text}"
        );
        assert!(!text.contains("ACTION"), "{text}");
        assert!(text.contains(" ReadTimeoutSeconds  10   20"), "{text}");
    }

    #[test]
    fn a_new_stack_s_preview_lists_every_template_resource_as_added() {
        let template = crate::template::render();
        let direct = super::super::super::alarms::conditions(&Alarms::Keep, false);
        let rows = template_adds(&template, &direct);
        // Resources' conditions only (an output has one too), each right after the Type.
        let opt_in = template
            .lines()
            .zip(template.lines().skip(1))
            .filter(|(kind, condition)| {
                kind.starts_with("    Type:")
                    && ["Buffered", "Alarms", "AlarmsToOwnTopic", "BufferAlarm"]
                        .iter()
                        .any(|c| condition.trim_end() == format!("    Condition: {c}"))
            })
            .count();
        assert_eq!(
            rows.len(),
            crate::template::resource_ids(&template).len() - opt_in
        );
        assert!(!rows
            .iter()
            .any(|r| r.resource_type.starts_with("AWS::CloudWatch")));
        let everything = Alarms::Email("ops@example.com".into());
        let all = template_adds(
            &template,
            &super::super::super::alarms::conditions(&everything, true),
        );
        assert_eq!(all.len(), crate::template::resource_ids(&template).len());
        assert!(all.iter().any(|r| r.logical_id == "Buffer"));
        assert!(all.iter().any(|r| r.logical_id == "BufferMapping"
            && r.resource_type == "AWS::Lambda::EventSourceMapping"));
        assert!(!rows.iter().any(|r| r.logical_id.starts_with("Buffer")));
        assert!(rows
            .iter()
            .any(|r| r.logical_id == "Bus" && r.resource_type == "AWS::Events::EventBus"));
        assert!(rows.iter().all(|r| r.action == "Add"));
        let mut report = ChangeSetReport::new("s", Operation::Create, rows, vec![])
            .at("123456789012", "eu-west-1");
        report.dry_run = true;
        report.deletes_first = Some("ROLLBACK_COMPLETE".into());
        let text = report.render(&PLAIN);
        assert!(text.starts_with("Would delete the failed stack s (ROLLBACK_COMPLETE) first"));
        assert!(text.contains("account 123456789012, eu-west-1"));
    }

    #[test]
    fn up_to_date_prints_the_outputs_under_its_own_heading() {
        let names = RelayNames::new("relay-app");
        let r = DeployResult::succeeded(&names, None, Operation::Update, None, vec![], true)
            .at("123456789012", "us-east-1");
        insta::assert_snapshot!(r.render(&PLAIN));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            (json["type"].as_str(), json["up_to_date"].as_bool()),
            (Some("result"), Some(true))
        );
    }
}
