import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { MEDIA_LIVENESS_PATH } from '#shared/health/media-paths.ts';

export const MEDIA_CONTAINER_PORT = 8080;
/** ALB keeps an idle WebSocket open this long; media frames flow every 20 ms, so only dead peers hit it. */
const IDLE_TIMEOUT = Duration.seconds(300);

/**
 * The public entry of the media service: Twilio Media Streams (`/twilio/stream`), browser calls
 * (`/web`, `/call`) and `/health`, all over one listener. ALB passes WebSocket upgrades through
 * natively. With a certificate ARN it serves TLS (Twilio requires `wss://`) and redirects HTTP;
 * without one it serves plain HTTP, which suits a dev stage reached by browsers on localhost only.
 */
export class MediaLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: { config: DeploymentConfig; vpc: ec2.IVpc }) {
    super(scope, id);
    const { config, vpc } = props;
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      idleTimeout: IDLE_TIMEOUT,
      dropInvalidHeaderFields: true,
    });
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc,
      port: MEDIA_CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      // Live calls keep flowing through a deregistering target until this delay ends: it is the
      // real drain window for WebSocket calls (see the media stack for the stopTimeout side).
      deregistrationDelay: Duration.seconds(config.drainGraceSeconds),
      // Liveness only: a dependency outage must not make ECS replace tasks carrying live calls.
      healthCheck: {
        path: MEDIA_LIVENESS_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    const host = config.mediaDomainName ?? this.loadBalancer.loadBalancerDnsName;
    if (config.mediaCertificateArn) {
      this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [
          elbv2.ListenerCertificate.fromCertificateManager(
            acm.Certificate.fromCertificateArn(this, 'Certificate', config.mediaCertificateArn),
          ),
        ],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [this.targetGroup],
      });
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
      this.publicUrl = `https://${host}`;
    } else {
      this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.targetGroup],
      });
      this.publicUrl = `http://${host}`;
    }
  }
}
