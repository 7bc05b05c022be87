"""CloudFormation updates and Fn::If: the rule beside strict/cloudformation.py's condition rules
(a module of its own: that one is past its size)."""

import moto.cloudformation.parsing as _cfn_parsing

from strict.cloudformation import _condition


# --- CloudFormation: an update re-evaluates Fn::If ---------------------------------------------
# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html
# ("These conditions evaluate during stack creation or updates"; Fn::If picks a value by one): a property
# chosen by a condition whose value an update flips is a changed property. moto marks a resource
# modified only when its text differs or it Refs a changed parameter, so e.g. a relay rule whose
# target is `!If [Buffered, Buffer, Function]` kept the deleted buffer as its target.
def _if_conditions(node) -> set:
    if isinstance(node, dict):
        found = set()
        for key, value in node.items():
            if key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str):
                found.add(value[0])
            found |= _if_conditions(value)
        return found
    if isinstance(node, list):
        return set().union(*(_if_conditions(v) for v in node)) if node else set()
    return set()


def _condition_values(template, params) -> dict:
    values = {k: v.get("Default", "") for k, v in (template.get("Parameters") or {}).items()}
    values.update(params or {})
    conditions = template.get("Conditions") or {}
    out = {}
    for name in conditions:
        try:
            out[name] = _condition({"Condition": name}, conditions, values)
        except (ValueError, KeyError, TypeError):
            out[name] = None  # not understood: left to moto
    return out


_build_resource_diff = _cfn_parsing.ResourceMap.build_resource_diff


def _diff_with_flipped_ifs(self, other_template, parameters=None):
    actions = _build_resource_diff(self, other_template, parameters)
    before = _condition_values(self._template or {}, self.input_parameters)
    after = _condition_values(other_template, {**(self.input_parameters or {}), **(parameters or {})})
    flipped = {n for n in after if before.get(n) is not None and after[n] is not None and before[n] != after[n]}
    old, new = self._resource_json_map, other_template["Resources"]
    for name in new:
        if name not in old or name in actions["Modify"]:
            continue
        # A resource whose condition turns true is created during the update, where
        # _conditional_update creates it, so that what now points at it (an Fn::If) finds it.
        turns_on = after.get(new[name].get("Condition")) and self._parsed_resources.get(name) is None
        if turns_on or _if_conditions(new[name]) & flipped:
            actions["Modify"].append(name)
    return actions


_cfn_parsing.ResourceMap.build_resource_diff = _diff_with_flipped_ifs
