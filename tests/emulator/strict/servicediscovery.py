"""Cloud Map (servicediscovery): the AWS rules evrelay's discover and preflight rely on where
moto 5.2.5 is lenient or wrong — list filters it ignores, the private namespace's hosted zone
(named after the namespace and associated with its VPC), and the instance attributes a
service's DNS records require."""

import json

import moto.servicediscovery.models as _models
import moto.servicediscovery.responses as _responses
from moto.route53 import route53_backends
from moto.servicediscovery.exceptions import ConflictingDomainExists, InvalidInput
from moto.utilities.utils import get_partition


def _matches(value: str, condition: str, values: list) -> bool:
    if condition == "IN":
        return value in values
    if condition == "BEGINS_WITH":
        return any(value.startswith(v) for v in values)
    return bool(values) and value == values[0]


# --- ListNamespaces honours its filters ----------------------------------------------------------
# https://docs.aws.amazon.com/cloud-map/latest/api/API_ListNamespaces.html ("If you specify more
# than one filter, a namespace must match all filters to be returned") and
# https://docs.aws.amazon.com/cloud-map/latest/api/API_NamespaceFilter.html (TYPE: HTTP,
# DNS_PUBLIC or DNS_PRIVATE; NAME: the namespace's name; Condition EQ, the default, IN,
# BEGINS_WITH). moto returns every namespace whatever the filters.
_NAMESPACE_FIELDS = {"TYPE": "type", "NAME": "name"}


def _list_namespaces(self):
    params = json.loads(self.body or "{}")
    found = list(self.servicediscovery_backend.list_namespaces())
    for f in params.get("Filters") or []:
        field = _NAMESPACE_FIELDS.get(f.get("Name"))
        if field is None:
            continue
        found = [
            ns
            for ns in found
            if _matches(getattr(ns, field), f.get("Condition") or "EQ", f.get("Values") or [])
        ]
    return 200, {}, json.dumps({"Namespaces": [ns.to_json() for ns in found]})


_responses.ServiceDiscoveryResponse.list_namespaces = _list_namespaces


# --- ListServices honours its NAMESPACE_ID filter ------------------------------------------------
# https://docs.aws.amazon.com/cloud-map/latest/api/API_ServiceFilter.html (NAMESPACE_ID: "Gets
# the services that are associated with the specified namespace"; Condition EQ, the default,
# or IN). moto returns the services of every namespace.
def _list_services(self):
    params = json.loads(self.body or "{}")
    found = list(self.servicediscovery_backend.list_services())
    for f in params.get("Filters") or []:
        if f.get("Name") != "NAMESPACE_ID":
            continue
        found = [
            s
            for s in found
            if _matches(s.namespace_id, f.get("Condition") or "EQ", f.get("Values") or [])
        ]
    return json.dumps({"Services": [s.to_json() for s in found]})


_responses.ServiceDiscoveryResponse.list_services = _list_services


# --- A private namespace's hosted zone has its name and belongs to its VPC ----------------------
# https://docs.aws.amazon.com/cloud-map/latest/dg/creating-namespaces.html ("When you create a
# private DNS namespace, AWS Cloud Map creates a corresponding Amazon Route 53 private hosted
# zone ... The hosted zone created by AWS Cloud Map has the same name as the namespace"), visible
# in the VPC given (so Route 53's ListHostedZonesByVPC lists it). moto names the zone
# `<name>-hz` and associates no VPC. A second zone of the same name in the same VPC is refused
# (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html,
# ConflictingDomainExists: "A hosted zone with the specified name already exists and is already
# associated with the Amazon VPC that you specified"); moto refuses any second namespace in the
# VPC, whatever its name.
def _create_private_dns_namespace(
    self, name, creator_request_id, description, vpc, tags, properties
):
    for ns in self.namespaces.values():
        if ns.vpc == vpc and ns.name == name:
            raise ConflictingDomainExists(vpc)
    dns_properties = dict((properties or {}).get("DnsProperties", {}))
    zone = route53_backends[self.account_id][get_partition(self.region_name)].create_hosted_zone(
        name,
        private_zone=True,
        vpcid=vpc,
        vpcregion=self.region_name,
        comment=f"Created by AWS Cloud Map namespace {name}",
    )
    # Cloud Map gives the bare zone id (`Z…`), as Route 53's list calls do.
    dns_properties["HostedZoneId"] = zone.id.replace("/hostedzone/", "")
    namespace = _models.Namespace(
        account_id=self.account_id,
        region=self.region_name,
        name=name,
        ns_type="DNS_PRIVATE",
        creator_request_id=creator_request_id,
        description=description,
        dns_properties=dns_properties,
        http_properties={},
        vpc=vpc,
    )
    self.namespaces[namespace.id] = namespace
    if tags:
        self.tagger.tag_resource(namespace.arn, tags)
    return self._create_operation("CREATE_NAMESPACE", targets={"NAMESPACE": namespace.id})


_models.ServiceDiscoveryBackend.create_private_dns_namespace = _create_private_dns_namespace


# --- An instance carries the attributes its service's records need ------------------------------
# https://docs.aws.amazon.com/cloud-map/latest/api/API_RegisterInstance.html (Attributes:
# AWS_INSTANCE_PORT "is required if you specified settings for an SRV record"; AWS_INSTANCE_IPV4
# is required "if the service that is specified by ServiceId includes settings for an A
# record"; an SRV record needs AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6). moto registers anything.
_register_instance = _models.ServiceDiscoveryBackend.register_instance


def _register_instance_strict(self, service_id, instance_id, creator_request_id, attributes):
    service = self.get_service(service_id)
    attributes = attributes or {}
    kinds = {r.get("Type") for r in ((service.dns_config or {}).get("DnsRecords") or [])}
    if "AWS_ALIAS_DNS_NAME" not in attributes:
        if "SRV" in kinds and "AWS_INSTANCE_PORT" not in attributes:
            raise InvalidInput(
                "AWS_INSTANCE_PORT is required for a service with an SRV record"
            )
        if "SRV" in kinds and not (
            "AWS_INSTANCE_IPV4" in attributes or "AWS_INSTANCE_IPV6" in attributes
        ):
            raise InvalidInput(
                "AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required for a service with an SRV record"
            )
        if "A" in kinds and "AWS_INSTANCE_IPV4" not in attributes:
            raise InvalidInput("AWS_INSTANCE_IPV4 is required for a service with an A record")
    return _register_instance(self, service_id, instance_id, creator_request_id, attributes)


_models.ServiceDiscoveryBackend.register_instance = _register_instance_strict
