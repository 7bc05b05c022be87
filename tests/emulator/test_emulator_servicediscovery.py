"""The strict emulator's Cloud Map rules (strict/servicediscovery.py), against the launcher."""

import uuid

import pytest
from botocore.exceptions import ClientError

from test_emulator import client, endpoint  # noqa: F401  (the launcher fixture)


def _vpc(endpoint):  # noqa: F811
    return client(endpoint, "ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]


def _namespace(sd, name, vpc):
    sd.create_private_dns_namespace(Name=name, Vpc=vpc)
    return next(n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == name)


def test_a_private_namespace_is_a_zone_of_its_name_in_its_vpc(endpoint):  # noqa: F811
    sd, r53 = client(endpoint, "servicediscovery"), client(endpoint, "route53")
    vpc = _vpc(endpoint)
    name = f"corp-{uuid.uuid4().hex[:6]}.internal"
    ns = _namespace(sd, name, vpc)
    zone_id = ns["Properties"]["DnsProperties"]["HostedZoneId"]
    zones = r53.list_hosted_zones_by_vpc(VPCId=vpc, VPCRegion="us-east-1")["HostedZoneSummaries"]
    assert [(z["HostedZoneId"], z["Name"].rstrip(".")) for z in zones] == [(zone_id, name)]
    # Another name in the same VPC is fine; the same name again conflicts.
    _namespace(sd, f"other-{name}", vpc)
    with pytest.raises(ClientError) as e:
        sd.create_private_dns_namespace(Name=name, Vpc=vpc)
    assert e.value.response["Error"]["Code"] == "ConflictingDomainExists"


def test_list_namespaces_and_services_honour_their_filters(endpoint):  # noqa: F811
    sd = client(endpoint, "servicediscovery")
    vpc = _vpc(endpoint)
    a = _namespace(sd, f"a-{uuid.uuid4().hex[:6]}.internal", vpc)
    b = _namespace(sd, f"b-{uuid.uuid4().hex[:6]}.internal", vpc)
    sd.create_http_namespace(Name=f"http-{uuid.uuid4().hex[:6]}")
    private = sd.list_namespaces(
        Filters=[{"Name": "TYPE", "Values": ["DNS_PRIVATE"], "Condition": "EQ"}]
    )["Namespaces"]
    assert {n["Type"] for n in private} == {"DNS_PRIVATE"}
    sd.create_service(Name="orders", NamespaceId=a["Id"])
    sd.create_service(Name="billing", NamespaceId=b["Id"])
    of_a = sd.list_services(
        Filters=[{"Name": "NAMESPACE_ID", "Values": [a["Id"]], "Condition": "EQ"}]
    )["Services"]
    assert [s["Name"] for s in of_a] == ["orders"]


def test_an_srv_service_refuses_an_instance_without_a_port(endpoint):  # noqa: F811
    sd = client(endpoint, "servicediscovery")
    ns = _namespace(sd, f"srv-{uuid.uuid4().hex[:6]}.internal", _vpc(endpoint))
    srv = sd.create_service(
        Name="orders",
        NamespaceId=ns["Id"],
        DnsConfig={"DnsRecords": [{"Type": "SRV", "TTL": 60}, {"Type": "A", "TTL": 60}]},
    )["Service"]["Id"]
    with pytest.raises(ClientError) as e:
        sd.register_instance(
            ServiceId=srv, InstanceId="i-1", Attributes={"AWS_INSTANCE_IPV4": "10.9.1.10"}
        )
    assert e.value.response["Error"]["Code"] == "InvalidInput"
    assert "AWS_INSTANCE_PORT" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        sd.register_instance(ServiceId=srv, InstanceId="i-2", Attributes={"AWS_INSTANCE_PORT": "80"})
    sd.register_instance(
        ServiceId=srv,
        InstanceId="i-3",
        Attributes={"AWS_INSTANCE_IPV4": "10.9.1.10", "AWS_INSTANCE_PORT": "8080"},
    )
    assert [i["Id"] for i in sd.list_instances(ServiceId=srv)["Instances"]] == ["i-3"]
