import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { parse } from 'yaml';

/** The runbook document in the repository. */
export const RUNBOOK_PATH = fileURLToPath(new URL('../../runbooks/patchbridge-AdHocPatch.yaml', import.meta.url));

/** The parameters the deployment fills in, so a caller never passes them. */
export const PREPOPULATED_PARAMETERS = ['AutomationAssumeRole', 'NotificationTopicArn', 'NotificationRoleArn'] as const;

export interface RunbookParameter {
  readonly type: string;
  readonly default?: unknown;
  readonly allowedValues?: readonly string[];
  readonly allowedPattern?: string;
}

export interface RunbookDocument {
  readonly schemaVersion: string;
  readonly parameters: Readonly<Record<string, RunbookParameter>>;
  readonly [key: string]: unknown;
}

/** Reads and parses the runbook YAML. */
export function readRunbook(path: string = RUNBOOK_PATH): RunbookDocument {
  const doc = parse(readFileSync(path, 'utf8')) as RunbookDocument;
  if (doc?.schemaVersion !== '0.3' || typeof doc.parameters !== 'object') throw new Error(`${path} is not an Automation document (schema 0.3)`);
  return doc;
}

export interface AdHocRunbookProps {
  /** `PATCHBRIDGE_PATCH_RUNBOOK`. @default 'patchbridge-AdHocPatch' */
  readonly documentName?: string;
  readonly automationRole: IRole;
  readonly patchResultsTopicArn: string;
  readonly notificationRole: IRole;
}

/** The ad hoc patch runbook, with its role and PatchResults topic prepopulated as parameter defaults. */
export class AdHocRunbook extends Construct {
  readonly document: CfnDocument;
  readonly documentName: string;

  constructor(scope: Construct, id: string, props: AdHocRunbookProps) {
    super(scope, id);
    const doc = readRunbook();
    const defaults: Record<(typeof PREPOPULATED_PARAMETERS)[number], string> = {
      AutomationAssumeRole: props.automationRole.roleArn,
      NotificationTopicArn: props.patchResultsTopicArn,
      NotificationRoleArn: props.notificationRole.roleArn,
    };
    const parameters = Object.fromEntries(
      Object.entries(doc.parameters).map(([name, p]) => [name, name in defaults ? { ...p, default: defaults[name as keyof typeof defaults] } : p]),
    );
    this.documentName = props.documentName ?? 'patchbridge-AdHocPatch';
    this.document = new CfnDocument(this, 'Document', {
      name: this.documentName,
      documentType: 'Automation',
      documentFormat: 'JSON',
      // A new version on change instead of a replacement, which a fixed name cannot do.
      updateMethod: 'NewVersion',
      content: { ...doc, parameters },
    });
  }
}
