"""Helpers the rule modules share."""


def truthy(value) -> bool:
    # moto keeps ModifyVpcAttribute's value as the request sent it: a bool or "true"/"false".
    return value is True or str(value).lower() == "true"
