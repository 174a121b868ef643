import { Stack } from 'aws-cdk-lib';
import * as dax from 'aws-cdk-lib/aws-dax';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { grantTable } from './access.ts';

export interface DaxCacheProps {
  table: dynamodb.Table;
  /** Nodes in the cluster: 3 spreads it over three zones (production); 1 is the cheapest. */
  nodes: number;
  logRetention: logs.RetentionDays;
}

/** DAX's encrypted client port (8111 is the plain one, left closed). */
const DAX_TLS_PORT = 9111;

/**
 * The optional DAX cluster (`-c dax=true`) and the network it needs: DAX lives in a VPC, so
 * the functions join it (private subnets, one NAT gateway for Cognito, SES and SNS; gateway
 * endpoints keep DynamoDB and S3 traffic off the NAT). Only the functions' security group may
 * reach the cluster, and only over TLS.
 */
export class DaxCache extends Construct {
  readonly vpc: ec2.Vpc;
  readonly functionsSecurityGroup: ec2.SecurityGroup;
  readonly cluster: dax.CfnCluster;

  constructor(scope: Construct, id: string, props: DaxCacheProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 3,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetention }),
          ),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });

    this.functionsSecurityGroup = new ec2.SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc: this.vpc,
      description: 'Stratus functions (may reach the DAX cluster)',
      allowAllOutbound: true,
    });
    const clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'Stratus DAX cluster: TLS from the functions only',
      allowAllOutbound: false,
    });
    clusterSecurityGroup.addIngressRule(
      this.functionsSecurityGroup,
      ec2.Port.tcp(DAX_TLS_PORT),
      'DAX over TLS from the functions',
    );

    const role = new iam.Role(this, 'ClusterRole', {
      assumedBy: new iam.ServicePrincipal('dax.amazonaws.com'),
      description: 'Lets the Stratus DAX cluster read and write the table on behalf of its clients',
    });
    grantTable(role, props.table, 'readWrite');

    const subnets = new dax.CfnSubnetGroup(this, 'Subnets', {
      description: 'Stratus DAX private subnets',
      subnetIds: this.vpc.privateSubnets.map((s) => s.subnetId),
    });
    this.cluster = new dax.CfnCluster(this, 'Cluster', {
      description: `Stratus read cache for ${Stack.of(this).stackName}`,
      iamRoleArn: role.roleArn,
      nodeType: 'dax.t3.small',
      replicationFactor: props.nodes,
      sseSpecification: { sseEnabled: true },
      clusterEndpointEncryptionType: 'TLS',
      subnetGroupName: subnets.ref,
      securityGroupIds: [clusterSecurityGroup.securityGroupId],
    });
    this.cluster.node.addDependency(role);
  }

  /** Lets a function role use the cluster's data plane (the role DynamoDB's grants play). */
  grantDataAccess(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'dax:GetItem',
          'dax:BatchGetItem',
          'dax:Query',
          'dax:PutItem',
          'dax:UpdateItem',
          'dax:DeleteItem',
          'dax:BatchWriteItem',
          'dax:ConditionCheckItem',
        ],
        resources: [this.cluster.attrArn],
      }),
    );
  }
}
