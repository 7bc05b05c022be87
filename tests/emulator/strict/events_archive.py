"""EventBridge archives made by CloudFormation keep their physical id.

https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-archive.html
("Ref: When you pass the logical ID of this resource to the intrinsic Ref function, Ref returns
the archive name"): the archive's name is its physical id, which DescribeStackResources lists as
PhysicalResourceId. moto 5.2.5's Archive has no physical_resource_id, so the stack lists the
resource with an empty one and nothing can find the archive a stack made (templates/archive.yaml
leaves the name to CloudFormation, and `evrelay replay` reads it from the stack)."""

from moto.events.models import Archive

Archive.physical_resource_id = property(lambda self: self.name)
