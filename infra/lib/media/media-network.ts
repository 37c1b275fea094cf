import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { type DeploymentConfig, usesRtpMedia } from '../config.ts';
import { MEDIA_CONTAINER_PORT } from './media-load-balancer.ts';

/**
 * The VPC and the media tasks' security group. Egress is explicit: HTTPS (OpenAI, AWS APIs,
 * Twilio) and, when an Asterisk network is configured, ARI over TCP and RTP over UDP to it.
 * Asterisk sends RTP straight to a task's private address (not through the load balancer), so the
 * RTP port range is opened inbound from that network only.
 */
export class MediaNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  readonly serviceSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: { config: DeploymentConfig }) {
    super(scope, id);
    const { config } = props;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: config.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        {
          name: 'private',
          subnetType: config.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC,
          cidrMask: 22,
        },
      ],
    });
    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: this.vpc,
      description: 'ai-caller media tasks',
      allowAllOutbound: false,
    });
    this.serviceSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to APIs');
    // A task that receives a command for a call another task runs hands it over directly
    // (media-service/src/fleet): tasks reach each other on the media port, inside the VPC only.
    const media = ec2.Port.tcp(MEDIA_CONTAINER_PORT);
    this.serviceSecurityGroup.addIngressRule(
      this.serviceSecurityGroup,
      media,
      'Commands relayed between media tasks',
    );
    this.serviceSecurityGroup.addEgressRule(
      this.serviceSecurityGroup,
      media,
      'Commands relayed between media tasks',
    );

    if (config.asteriskCidr) {
      const asterisk = ec2.Peer.ipv4(config.asteriskCidr);
      // ARI REST and events, and chan_websocket media sockets (`/media/<id>`), on Asterisk's HTTP port.
      this.serviceSecurityGroup.addEgressRule(asterisk, ec2.Port.tcp(config.ariPort), 'ARI to Asterisk');
      if (usesRtpMedia(config)) {
        this.serviceSecurityGroup.addIngressRule(
          asterisk,
          ec2.Port.udpRange(config.rtpPortMin, config.rtpPortMax),
          'RTP from Asterisk (externalMedia)',
        );
        // Asterisk's own RTP range lives in its rtp.conf, which the platform does not know.
        this.serviceSecurityGroup.addEgressRule(asterisk, ec2.Port.allUdp(), 'RTP to Asterisk');
      }
    }
  }

  /** Subnets for the tasks: private with NAT egress, or public with public IPs when NAT is off. */
  get taskSubnets(): ec2.SubnetSelection {
    return { subnetGroupName: 'private' };
  }
}
