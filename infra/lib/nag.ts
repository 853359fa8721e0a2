import { CfnResource, Validations } from 'aws-cdk-lib';
import { CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import cdkNag from 'cdk-nag';
import type { IConstruct } from 'constructs';

// cdk-nag is CommonJS whose named exports Node's ESM loader cannot see; one default import here.
const { AwsSolutionsChecks, rules } = cdkNag;

/** A cdk-nag finding accepted on purpose, with the reason a reviewer reads. */
export interface Acknowledgement {
  /** Rule id, e.g. `AwsSolutions-SQS3`. */
  readonly id: string;
  readonly reason: string;
}

/** Acknowledges whole-resource findings (no finding id) on `scope` and everything under it. */
export function acknowledge(scope: IConstruct, ...acks: readonly Acknowledgement[]): void {
  for (const ack of acks) {
    if (ack.reason.trim().length < 20) throw new Error(`acknowledgement of ${ack.id} needs a written reason`);
    Validations.of(scope).acknowledge({ id: ack.id, reason: ack.reason });
  }
}

/** A wildcard in an IAM policy that AWS requires, matched on cdk-nag's flattened finding. */
export interface WildcardAllowance {
  /** Matched against the finding, e.g. `Resource::arn:<AWS::Partition>:ssm:…:managed-instance/*` or `Action::s3:GetObject*`. */
  readonly finding: RegExp;
  readonly reason: string;
}

const ALLOWANCES = Symbol.for('patchbridge.wildcardAllowances');
type WithAllowances = IConstruct & { [ALLOWANCES]?: WildcardAllowance[] };

/**
 * Declares which IAM wildcards under `scope` are required, and why. Nothing is
 * acknowledged until `acknowledgeAllowedWildcards` runs over the finished tree,
 * and only the findings these patterns match: any other wildcard still fails nag.
 */
export function allowWildcards(scope: IConstruct, ...allowances: readonly WildcardAllowance[]): void {
  const s = scope as WithAllowances;
  for (const a of allowances) if (a.reason.trim().length < 20) throw new Error(`wildcard ${a.finding} needs a written reason`);
  s[ALLOWANCES] = [...(s[ALLOWANCES] ?? []), ...allowances];
}

function allowancesFor(node: IConstruct): WildcardAllowance[] {
  const out: WildcardAllowance[] = [];
  for (let c: IConstruct | undefined = node; c; c = c.node.scope) out.push(...((c as WithAllowances)[ALLOWANCES] ?? []));
  return out;
}

/**
 * Evaluates cdk-nag's own IAM5 rule on every policy and role under `root` and
 * acknowledges each finding an `allowWildcards` pattern above it matches, with
 * that pattern's reason. `awsSolutionsFindings` calls it.
 */
export function acknowledgeAllowedWildcards(root: IConstruct): void {
  const visit = (c: IConstruct) => {
    if (CfnResource.isCfnResource(c) && (c instanceof CfnPolicy || c instanceof CfnRole)) {
      const findings = rules.iam.IAMNoWildcardPermissions(c);
      if (Array.isArray(findings)) {
        const allowed = allowancesFor(c);
        for (const finding of findings as string[]) {
          const match = allowed.find((a) => a.finding.test(finding));
          if (match) Validations.of(c).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: match.reason });
        }
      }
    }
    for (const child of c.node.children) visit(child);
  };
  visit(root);
}

/**
 * One line per unacknowledged AwsSolutions finding under `root` (empty when clean).
 * Acknowledges the allowed wildcards first, on the tree as it is now: a finding
 * names references as they resolve, and a cross-stack reference resolves to an
 * import only once the app has been synthesised.
 */
export function awsSolutionsFindings(root: IConstruct): string[] {
  acknowledgeAllowedWildcards(root);
  const report = new AwsSolutionsChecks().validateScope(root);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId ?? '?'}: ${v.description.split('\n')[0]}`),
  );
}
