import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { REPO_ROOT } from '../paths.js';

/** The handlers in `src/handlers`, one Lambda each. */
export const HANDLERS = ['api', 'patch-results', 'servicenow-listener', 'window-guard', 'compliance-snapshot', 'compliance-report'] as const;
export type HandlerName = (typeof HANDLERS)[number];

/**
 * How every handler is bundled: local esbuild (no Docker), ESM for Node 22,
 * minified with source maps, the AWS SDK bundled so the code runs against the SDK
 * version it was tested with. `bench/lambda-cold-start` bundles through the CDK
 * with these same options.
 */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
  forceDockerBundling: false,
  // Some CommonJS dependencies call require() on Node built-ins.
  banner: "import{createRequire as __pbRequire}from'node:module';const require=__pbRequire(import.meta.url);",
} as const;

export interface HandlerFunctionProps {
  readonly handler: HandlerName;
  readonly description: string;
  /** A fixed name, for a function other accounts address by ARN. @default generated */
  readonly functionName?: string;
  /** @default 30 s */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  readonly environment: Readonly<Record<string, string>>;
  /** @default 'info' */
  readonly logLevel?: string;
  /** @default one year */
  readonly logRetention?: RetentionDays;
  /** Files copied next to the bundle (`src`-relative paths the code reads at run time). */
  readonly extraFiles?: readonly string[];
}

/**
 * One handler of `src/handlers` as a Node.js 22 arm64 Lambda with its own role and
 * log group. The role starts with only the right to write that log group (no AWS
 * managed policy); every other permission is granted by the stack, explicitly.
 */
export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `patchbridge ${props.handler} Lambda` });
    this.logGroup.grantWrite(this.role);
    const logLevel = props.logLevel ?? 'info';
    const extra = props.extraFiles ?? [];
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}/src/handlers/${props.handler}.ts`,
      handler: 'handler',
      ...(props.functionName ? { functionName: props.functionName } : {}),
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}/package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `patchbridge-${props.handler}`,
        POWERTOOLS_METRICS_NAMESPACE: 'patchbridge',
        POWERTOOLS_LOG_LEVEL: logLevel.toUpperCase(),
        PATCHBRIDGE_LOG_LEVEL: logLevel,
        ...props.environment,
      },
      bundling: {
        ...BUNDLING,
        mainFields: [...BUNDLING.mainFields],
        ...(extra.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  extra.map((f) => `mkdir -p "${outputDir}/${f.split('/').slice(0, -1).join('/') || '.'}" && cp "${inputDir}/${f}" "${outputDir}/${f}"`),
              },
            }
          : {}),
      },
    });
    acknowledge(this.fn, {
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x on purpose: the runtime the handlers are tested on in CI (Node 22); moving to a newer runtime is a tested change, not a drift.',
    });
  }
}
