"""GetHealthCheckStatus reports what the checkers observe, before inversion
(strict/route53_status.py): `status` and `failover` apply the inversion on top."""

from test_emulator_endpoints import _health_check, client, url  # noqa: F401  (url: the fixture)


def _reports(url, check_id) -> list:
    out = client(url, "route53").get_health_check_status(HealthCheckId=check_id)
    return [o["StatusReport"]["Status"].split(":")[0] for o in out["HealthCheckObservations"]]


def test_the_reports_follow_the_alarm_not_the_inversion(url):  # noqa: F811
    check = _health_check(url, alarm="reports")
    r53, cw = client(url, "route53"), client(url, "cloudwatch")
    assert _reports(url, check) == ["Success"]

    # Inverting changes the check's status, not what its checkers observe.
    version = r53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckVersion"]
    r53.update_health_check(HealthCheckId=check, HealthCheckVersion=version, Inverted=True)
    assert _reports(url, check) == ["Success"]

    cw.set_alarm_state(AlarmName="reports", StateValue="ALARM", StateReason="slow")
    assert _reports(url, check) == ["Failure"]

    version = r53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckVersion"]
    r53.update_health_check(HealthCheckId=check, HealthCheckVersion=version, Inverted=False)
    assert _reports(url, check) == ["Failure"]
    cw.set_alarm_state(AlarmName="reports", StateValue="OK", StateReason="fast again")
    assert _reports(url, check) == ["Success"]


def test_a_missing_health_check_is_no_such_health_check(url):  # noqa: F811
    from botocore.exceptions import ClientError
    import pytest

    with pytest.raises(ClientError) as e:
        client(url, "route53").get_health_check_status(HealthCheckId="abcdef01-0000-0000-0000-0")
    assert e.value.response["Error"]["Code"] == "NoSuchHealthCheck"
