import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat, EndpointType, LambdaRestApi, LogGroupLogDestination, MethodLoggingLevel } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface BridgeApiProps {
  readonly prefix: string;
  readonly handler: IFunction;
  /** Steady-state requests per second. @default 10 */
  readonly rateLimit?: number;
  /** @default 20 */
  readonly burstLimit?: number;
  /** Requests per 5 minutes per source IP before WAF blocks it. @default 1000 */
  readonly wafRateLimitPer5Min?: number;
}

/**
 * The REST API (Lambda proxy to the express app) with stage throttling, JSON
 * access logs and a regional WAF web ACL (AWS managed common and known-bad-input
 * rules, IP reputation, a per-IP rate limit).
 */
export class BridgeApi extends Construct {
  readonly api: LambdaRestApi;
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: BridgeApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new LambdaRestApi(this, 'Api', {
      restApiName: `${props.prefix}-api`,
      description: 'patchbridge REST API (openapi/patchbridge.yaml)',
      handler: props.handler,
      proxy: true,
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: props.rateLimit ?? 10,
        throttlingBurstLimit: props.burstLimit ?? 20,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.OFF,
        tracingEnabled: false,
      },
    });
    acknowledge(
      this.api,
      {
        id: 'AwsSolutions-APIG2',
        reason: 'A proxy API: the express app validates every request against openapi/patchbridge.yaml and answers problem+json, which Gateway models cannot.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason: 'Callers authenticate in the app (OAuth client-credentials JWTs or HMAC signatures with nonce and timestamp, docs/api.md); /healthz stays open.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'ServiceNow calls with OAuth client credentials from its own issuer or HMAC keys, not Cognito user pools; the app verifies both.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason: 'Execution logging is off so request bodies never reach logs (they can name changes and hosts); access logs record every request.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: 'The WAF web ACL is associated with the stage by a CfnWebACLAssociation in this construct, which the rule does not follow.',
      },
    );

    const managed = (name: string, priority: number): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${props.prefix}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${props.prefix}-api`, sampledRequestsEnabled: true },
      rules: [
        managed('AWSManagedRulesCommonRuleSet', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        managed('AWSManagedRulesAmazonIpReputationList', 2),
        {
          name: 'per-ip-rate',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.wafRateLimitPer5Min ?? 1000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'per-ip-rate', sampledRequestsEnabled: true },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
