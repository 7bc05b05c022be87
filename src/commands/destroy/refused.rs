//! Why CloudFormation refuses to delete a stack, said with what lifts it: termination
//! protection (API UpdateTerminationProtection: "If a user attempts to delete a stack with
//! termination protection enabled, the operation fails and the stack remains unchanged"), and a
//! stack whose service role is gone (API DeleteStack, RoleARN: without one "CloudFormation uses
//! the role that was previously associated with the stack"; when that role no longer exists it
//! answers "Role ARN is invalid or cannot be assumed").

use crate::error::Error;

/// The AWS CLI command that lifts termination protection on the stack.
pub fn lift_protection(stack: &str, region: &str) -> String {
    format!(
        "aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {stack} --region {region}"
    )
}

/// Refused before anything is asked or deleted: DescribeStacks says the stack is protected.
pub fn protected(stack: &str, region: &str) -> Error {
    Error::failed(format!(
        "stack `{stack}` has termination protection enabled, so CloudFormation will not delete it; nothing was deleted"
    ))
    .hint(format!(
        "lift it with `{}`, then run `evrelay destroy --stack {stack}` again",
        lift_protection(stack, region)
    ))
}

/// The stack's service role cannot be assumed (gone, or its trust policy changed).
fn role_gone(stack: &str, role: Option<&str>, given: Option<&str>) -> Error {
    let which = match (given, role) {
        (Some(arn), _) => format!("the role {arn} given with --role-arn"),
        (None, Some(arn)) => format!("its service role {arn}"),
        (None, None) => "its service role".to_string(),
    };
    Error::failed(format!(
        "CloudFormation cannot delete stack `{stack}`: {which} no longer exists or cannot be assumed"
    ))
    .hint(format!(
        "pass `--role-arn ARN` with a role CloudFormation can assume that may delete the stack's resources: `evrelay destroy --stack {stack} --role-arn ARN`"
    ))
}

/// What a DeleteStack refusal, or a DELETE_FAILED reason, means, when it is one of the above.
pub fn explain(
    stack: &str,
    region: &str,
    said: &str,
    role: Option<&str>,
    given: Option<&str>,
) -> Option<Error> {
    if said.contains("TerminationProtection is enabled") {
        return Some(protected(stack, region));
    }
    if said.contains("is invalid or cannot be assumed") {
        return Some(role_gone(stack, role, given));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::arn::parse_role_arn;

    #[test]
    fn a_protected_stack_is_explained_with_the_command_that_lifts_it() {
        let e = explain(
            "orders",
            "eu-west-1",
            "ValidationError: Stack [orders] cannot be deleted while TerminationProtection is enabled",
            None,
            None,
        )
        .unwrap();
        assert_eq!(e.exit_code(), 1);
        assert!(!e.message.contains('\n'));
        assert!(
            e.message.contains("termination protection"),
            "{}",
            e.message
        );
        assert!(e.hint.unwrap().contains(
            "`aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name orders --region eu-west-1`"
        ));
    }

    #[test]
    fn a_gone_service_role_points_at_role_arn() {
        let said = "Role arn:aws:iam::123456789012:role/deployer is invalid or cannot be assumed";
        let role = Some("arn:aws:iam::123456789012:role/deployer");
        let e = explain("orders", "us-east-1", said, role, None).unwrap();
        assert!(e
            .message
            .contains("its service role arn:aws:iam::123456789012:role/deployer"));
        assert!(e.hint.unwrap().contains("--role-arn ARN"));
        let e = explain(
            "orders",
            "us-east-1",
            said,
            role,
            Some("arn:aws:iam::123456789012:role/x"),
        )
        .unwrap();
        assert!(e
            .message
            .contains("the role arn:aws:iam::123456789012:role/x given with --role-arn"));
        assert!(explain(
            "orders",
            "us-east-1",
            "Throttling: Rate exceeded",
            role,
            None
        )
        .is_none());
        assert!(parse_role_arn("arn:aws:iam::123456789012:role/deployer").is_ok());
        assert!(parse_role_arn("deployer")
            .unwrap_err()
            .contains("`deployer`"));
    }
}
