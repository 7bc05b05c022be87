"""CloudFormation's Condition function in YAML's short form. moto reads `!Condition Name` as
{"Fn::Condition": "Name"}, which its condition parser does not know, so every condition built
from another with `!And`/`!Or`/`!Not [!Condition ...]` is silently false: a resource under it is
never made, and the stack still says CREATE_COMPLETE."""

import moto.cloudformation.parsing as _cfn_parsing


# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-condition.html
# (Condition: JSON `{ "Condition" : "conditionName" }`, YAML short form `!Condition
# conditionName`; "returns the evaluated result of the specified condition", used to refer to
# another condition in the Conditions section) and
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html
# (Fn::And, Fn::Or and Fn::Not take other conditions, `!Condition SomeOtherCondition`).
def _as_written(value):
    if isinstance(value, dict):
        if list(value) == ["Fn::Condition"]:
            return {"Condition": value["Fn::Condition"]}
        return {k: _as_written(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    return value


_parse_condition = _cfn_parsing.parse_condition


def _strict_parse_condition(condition, resources_map, condition_map):
    return _parse_condition(_as_written(condition), resources_map, condition_map)


_cfn_parsing.parse_condition = _strict_parse_condition
