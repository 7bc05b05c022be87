"""EC2 and VPC: interface endpoints, security groups, NAT gateways as AWS treats them."""

import moto.ec2.models.security_groups as _ec2_sg
import moto.ec2.models.vpcs as _ec2_vpcs
from moto.ec2.exceptions import EC2ClientError

from strict.common import truthy as _truthy

# --- Interface endpoints with private DNS ------------------------------------------------------
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
# (PrivateDnsEnabled: "To use a private hosted zone, you must set the following VPC attributes
# to true: enableDnsHostnames and enableDnsSupport").
# https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html
# (DNS hostnames: one private hosted zone per service name and VPC, so a second private-DNS
# endpoint for the same service in the VPC fails with "conflicting DNS domain").
_LIVE_ENDPOINT_STATES = {"pendingacceptance", "pending", "available", "partial", "deleting"}
_create_vpc_endpoint = _ec2_vpcs.VPCBackend.create_vpc_endpoint


def _strict_create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
    interface = (endpoint_type or "").lower() == "interface"
    private_dns = kwargs.get("private_dns_enabled")
    if interface and private_dns:
        vpc = self.get_vpc(vpc_id)
        if not (_truthy(vpc.enable_dns_support) and _truthy(vpc.enable_dns_hostnames)):
            raise EC2ClientError(
                "InvalidParameter",
                "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames "
                f"VPC attributes set to true for {vpc_id}",
            )
        for other in self.vpc_end_points.values():
            if (
                other.vpc_id == vpc_id
                and other.service_name == service_name
                and other.private_dns_enabled
                and other.state in _LIVE_ENDPOINT_STATES
            ):
                host = service_name.split(".")[-1] + "." + service_name.split(".")[-2]
                raise EC2ClientError(
                    "InvalidParameter",
                    "private-dns-enabled cannot be set because there is already a conflicting "
                    f"DNS domain for {host}.amazonaws.com in the VPC {vpc_id}",
                )
    return _create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs)


_ec2_vpcs.VPCBackend.create_vpc_endpoint = _strict_create_vpc_endpoint


# --- A security group in use cannot be deleted -------------------------------------------------
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html
# ("If you attempt to delete a security group that is associated with an instance or network
# interface ... the operation fails with DependencyViolation"). An interface endpoint's network
# interfaces hold its groups until the endpoint is deleted; moto deletes the group regardless.
_delete_security_group = _ec2_sg.SecurityGroupBackend._delete_security_group


def _strict_delete_security_group(self, vpc_id, group_id):
    for endpoint in getattr(self, "vpc_end_points", {}).values():
        if group_id in endpoint.security_group_ids and endpoint.state != "deleted":
            raise EC2ClientError(
                "DependencyViolation",
                f"resource {group_id} has a dependent object",
            )
    return _delete_security_group(self, vpc_id, group_id)


_ec2_sg.SecurityGroupBackend._delete_security_group = _strict_delete_security_group


# --- Private NAT gateways ----------------------------------------------------------------------
# https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html ("Private NAT gateway
# ... Instances in private subnets can connect to other VPCs or your on-premises network ...
# cannot be used to reach the internet"). moto models ConnectivityType=private (no Elastic IP)
# and returns it from DescribeNatGateways: nothing to patch; evrelay reads it (a private NAT
# is no path to EventBridge).


# --- A prefix list that does not exist ----------------------------------------------------------
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html and
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
# (InvalidPrefixListID.NotFound: the prefix list ID does not exist). moto answers a missing or
# deleted list with no entries, so a rule naming it looked like a rule that covers nothing; on
# AWS the read fails, and evrelay must say it could not read the list.
import moto.ec2.models.managed_prefixes as _ec2_prefixes  # noqa: E402

_get_entries = _ec2_prefixes.ManagedPrefixListBackend.get_managed_prefix_list_entries


def _strict_get_entries(self, prefix_list_id):
    found = _get_entries(self, prefix_list_id)
    if found is None or getattr(found, "state", "") == "delete-complete":
        raise EC2ClientError(
            "InvalidPrefixListID.NotFound",
            f"The prefix list ID '{prefix_list_id}' does not exist",
        )
    return found


_ec2_prefixes.ManagedPrefixListBackend.get_managed_prefix_list_entries = _strict_get_entries


# --- Endpoint services are offered in some Availability Zones only ------------------------------
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ServiceDetail.html
# (AvailabilityZones: "The Availability Zones in which the service is available") and
# https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html ("an
# Availability Zone that the service does not support" cannot take an endpoint subnet).
# CreateVpcEndpoint refuses a subnet in a zone the service does not list; moto lists every
# zone for every service and accepts any subnet. EVRELAY_EMULATOR_UNOFFERED_ZONES
# ("secretsmanager@us-east-1c,events@us-east-1b") takes zones off a service's list, to stand in
# for a region where a service lacks a zone.
import os as _os  # noqa: E402


def _unoffered():
    pairs = (_os.environ.get("EVRELAY_EMULATOR_UNOFFERED_ZONES") or "").split(",")
    return {tuple(p.strip().split("@", 1)) for p in pairs if "@" in p}


def _offered(detail):
    short = detail["ServiceName"].rsplit(".", 1)[-1]
    gone = {zone for service, zone in _unoffered() if service == short}
    return [z for z in detail.get("AvailabilityZones", []) if z not in gone]


_describe_services = _ec2_vpcs.VPCBackend.describe_vpc_endpoint_services


def _strict_describe_services(self, *args, **kwargs):
    out = _describe_services(self, *args, **kwargs)
    out["servicesDetails"] = [
        dict(detail, AvailabilityZones=_offered(detail)) for detail in out["servicesDetails"]
    ]
    return out


_ec2_vpcs.VPCBackend.describe_vpc_endpoint_services = _strict_describe_services
_create_endpoint_in_zones = _ec2_vpcs.VPCBackend.create_vpc_endpoint


def _strict_create_endpoint_in_zones(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
    if (endpoint_type or "").lower() == "interface":
        details = _describe_services(self, [], None, None, None, self.region_name)
        detail = next(
            (d for d in details["servicesDetails"] if d["ServiceName"] == service_name), None
        )
        if detail is not None:
            offered = _offered(detail)
            for subnet_id in kwargs.get("subnet_ids") or []:
                zone = self.get_subnet(subnet_id).availability_zone
                if zone not in offered:
                    raise EC2ClientError(
                        "InvalidParameter",
                        f"The Vpc Endpoint Service '{service_name}' does not support the "
                        f"availability zone of the subnet: '{subnet_id}'.",
                    )
    return _create_endpoint_in_zones(self, vpc_id, service_name, endpoint_type, *args, **kwargs)


_ec2_vpcs.VPCBackend.create_vpc_endpoint = _strict_create_endpoint_in_zones


# --- Network interfaces hold their group, subnet and VPC ----------------------------------------
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html ("If you
# attempt to delete a security group that is associated with an instance or network interface
# ... the operation fails with DependencyViolation"),
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSubnet.html ("You must
# terminate all running instances in the subnet before you can delete the subnet"),
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVpc.html ("You must detach or
# delete all gateways and resources that are associated with the VPC before you can delete it")
# and https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
# (DependencyViolation: "The specified object has dependent resources"). moto deletes a group a
# network interface uses and a subnet a network interface sits in (an interface endpoint's,
# a Lambda function's, another workload's); AWS refuses both until the interface is gone.
import moto.ec2.models.subnets as _ec2_subnets  # noqa: E402


def _interfaces(backend):
    return list(getattr(backend, "enis", {}).values())


def _in_use(group_id, eni):
    return any(getattr(g, "id", g) == group_id for g in eni.group_set)


_delete_group_held = _ec2_sg.SecurityGroupBackend._delete_security_group


def _strict_delete_group_held(self, vpc_id, group_id):
    eni = next((e for e in _interfaces(self) if _in_use(group_id, e)), None)
    if eni is not None:
        raise EC2ClientError(
            "DependencyViolation",
            f"resource {group_id} has a dependent object ({eni.id})",
        )
    return _delete_group_held(self, vpc_id, group_id)


_ec2_sg.SecurityGroupBackend._delete_security_group = _strict_delete_group_held
_delete_subnet = _ec2_subnets.SubnetBackend.delete_subnet


def _strict_delete_subnet(self, subnet_id):
    if any(e.subnet.id == subnet_id for e in _interfaces(self)):
        raise EC2ClientError(
            "DependencyViolation",
            f"The subnet '{subnet_id}' has dependencies and cannot be deleted.",
        )
    return _delete_subnet(self, subnet_id)


_ec2_subnets.SubnetBackend.delete_subnet = _strict_delete_subnet
_delete_vpc = _ec2_vpcs.VPCBackend.delete_vpc


def _strict_delete_vpc(self, vpc_id):
    if any(e.subnet.vpc_id == vpc_id for e in _interfaces(self)):
        raise EC2ClientError(
            "DependencyViolation",
            f"The vpc '{vpc_id}' has dependencies and cannot be deleted.",
        )
    return _delete_vpc(self, vpc_id)


_ec2_vpcs.VPCBackend.delete_vpc = _strict_delete_vpc


# --- A centralised endpoint's private hosted zone holds the service's name -----------------------
# https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html
# (DNS hostnames: enabling private DNS makes AWS create a private hosted zone for the service's
# name and associate it with the VPC) and
# https://docs.aws.amazon.com/Route53/latest/APIReference/API_AssociateVPCWithHostedZone.html
# (ConflictingDomainExists: "The VPC that you specified is already associated with another
# hosted zone that has the same name"), as when a shared VPC's centralised endpoint zones are
# associated with every spoke; EC2 answers "conflicting DNS domain". moto creates the endpoint
# anyway.
from moto.route53.models import route53_backends as _route53_backends  # noqa: E402


def _host_of(service_name):
    # com.amazonaws.<region>.<service> / cn.com.amazonaws.<region>.<service>
    parts = service_name.split(".")
    region, short = parts[-2], parts[-1]
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{short}.{region}.{suffix}"


def _zone_with_name_in(account_id, region, vpc_id, host):
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    backend = _route53_backends[account_id][partition]
    for zone in backend.zones.values():
        if not zone.private_zone or zone.name.rstrip(".").lower() != host:
            continue
        if any(v.get("vpc_id") == vpc_id for v in zone.vpcs):
            return zone
    return None


_create_endpoint_beside_zones = _ec2_vpcs.VPCBackend.create_vpc_endpoint


def _strict_create_endpoint_beside_zones(
    self, vpc_id, service_name, endpoint_type, *args, **kwargs
):
    if (endpoint_type or "").lower() == "interface" and kwargs.get("private_dns_enabled"):
        host = _host_of(service_name)
        if _zone_with_name_in(self.account_id, self.region_name, vpc_id, host):
            raise EC2ClientError(
                "InvalidParameter",
                "private-dns-enabled cannot be set because there is already a conflicting DNS "
                f"domain for {host} in the VPC {vpc_id}",
            )
    return _create_endpoint_beside_zones(
        self, vpc_id, service_name, endpoint_type, *args, **kwargs
    )


_ec2_vpcs.VPCBackend.create_vpc_endpoint = _strict_create_endpoint_beside_zones
