use super::*;

#[test]
fn the_pair_s_stacks_render_without_comments_and_fit() {
    for part in [Part::Endpoint, Part::Archive] {
        let rendered = render_part(part);
        assert!(
            !rendered.lines().any(|l| l.trim_start().starts_with('#')),
            "{part:?}"
        );
        assert!(size_margin(&rendered) > 40_000, "{part:?}");
        assert!(!resource_ids(&rendered).is_empty(), "{part:?}");
    }
    assert_eq!(
        resource_ids(&render_part(Part::Endpoint)),
        ["LatencyAlarm", "HealthCheck", "ReplicationRole", "Endpoint"]
    );
    assert_eq!(render_part(Part::Relay), render());
}

const SAMPLE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  TargetUrl:
    Type: String
  AuthHeaderName:
    Type: String
    Default: api-key

  Secret:
    Type: String
    NoEcho: true
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Metadata:
      evrelay:
        description: Event bus producers send to
  Relay:
    Type: AWS::Lambda::Function
    Metadata:
      evrelay:
        description: \"The relay function\"
    Properties:
      Code:
        ZipFile: |
          # evrelay:relay-code
Outputs: {}
";

#[test]
fn render_indents_the_code_like_the_marker_and_keeps_it_whole() {
    let relay =
        "\"\"\"Doc.\n\n# comment\n\"\"\"\nimport os\n\n# why\ndef handler(e, c):\n    return 1\n";
    let out = render_with(SAMPLE, relay);
    assert!(out.contains("        ZipFile: |\n          \"\"\"Doc.\n\n          # comment\n          \"\"\"\n          import os\n\n          # why\n          def handler(e, c):\n              return 1\nOutputs"), "{out}");
    assert!(!out.contains(CODE_MARKER));
}

#[test]
fn render_drops_the_templates_comments_but_not_the_relays_nor_a_block_scalars_text() {
    let template = "# top\nResources:\n  # why the bus\n  Bus:\n    Description: >-\n      # a hash that is text\n    # after the scalar\n    Code:\n      ZipFile: |\n        # evrelay:relay-code\n    # after the code\n";
    let relay = "# relay comment\nimport os\n\n  # indented comment\n";
    let out = render_with(template, relay);
    assert_eq!(
            out,
            "Resources:\n  Bus:\n    Description: >-\n      # a hash that is text\n    Code:\n      ZipFile: |\n        # relay comment\n        import os\n\n          # indented comment\n"
        );
}

#[test]
fn the_rendered_relay_is_the_relay_line_for_line() {
    let out = render();
    let indent = "          ";
    let code: Vec<String> = RELAY_SOURCE
        .trim_end()
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect();
    assert!(out.contains(&format!("ZipFile: |\n{}\n", code.join("\n"))));
}

#[test]
fn sections_and_descriptions_are_found() {
    assert_eq!(
        parameter_names(SAMPLE),
        ["TargetUrl", "AuthHeaderName", "Secret"]
    );
    assert_eq!(resource_ids(SAMPLE), ["Bus", "Relay"]);
    assert_eq!(
        resource_descriptions(SAMPLE),
        [
            ("Bus".to_string(), "Event bus producers send to".to_string()),
            ("Relay".to_string(), "The relay function".to_string())
        ]
    );
}

#[test]
fn defaults_are_set_or_replaced() {
    let out = set_defaults(
        SAMPLE,
        &[
            ("TargetUrl".into(), "http://x/\"y".into()),
            ("AuthHeaderName".into(), "x-key".into()),
        ],
    )
    .unwrap();
    assert!(
        out.contains(
            "  TargetUrl:\n    Type: String\n    Default: \"http://x/\\\"y\"\n  AuthHeaderName:"
        ),
        "{out}"
    );
    assert!(
        out.contains("  AuthHeaderName:\n    Type: String\n    Default: \"x-key\"\n\n  Secret:"),
        "{out}"
    );
    assert!(!out.contains("Default: api-key"));
}

#[test]
fn secret_and_unknown_parameters_are_refused() {
    let e = set_defaults(SAMPLE, &[("Secret".into(), "hunter22".into())]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(!e.message.contains("hunter22"));
    assert!(set_defaults(SAMPLE, &[("Nope".into(), "1".into())])
        .unwrap_err()
        .message
        .contains("Nope"));
}

#[test]
fn the_rendered_template_fits_cloudformations_template_body_limit() {
    let rendered = render();
    let margin = size_margin(&rendered);
    assert!(
        margin > 0,
        "the rendered template is {} bytes; CloudFormation's TemplateBody limit is \
             {TEMPLATE_BODY_LIMIT} (over by {})",
        rendered.len(),
        -margin
    );
    // Shown with --nocapture: how much room the relay and the template have left.
    println!(
        "rendered template: {} bytes, {margin} bytes below the {TEMPLATE_BODY_LIMIT}-byte limit",
        rendered.len()
    );
}

#[test]
fn the_embedded_template_has_one_marker_and_a_description_per_resource() {
    assert_eq!(
        TEMPLATE_SOURCE
            .lines()
            .filter(|l| l.trim() == CODE_MARKER)
            .count(),
        1
    );
    let described: Vec<String> = resource_descriptions(TEMPLATE_SOURCE)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(described, resource_ids(TEMPLATE_SOURCE));
}

#[test]
fn the_embedded_template_builds_every_name_from_the_stack() {
    for (field, expr) in crate::names::RelayNames::template_expressions() {
        assert!(
            TEMPLATE_SOURCE.contains(expr),
            "template lacks {expr} ({field})"
        );
    }
}
