import { CfnPatchBaseline } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type ApprovalProps, LINUX_OPERATING_SYSTEMS, type LinuxOperatingSystem, type OperatingSystem } from '../props.js';

/** The tag key Patch Manager and the windows target: instances are grouped by its value. */
export const PATCH_GROUP_TAG = 'Patch Group';

type Filter = { key: string; values: string[] };
type Rule = CfnPatchBaseline.RuleProperty;

/**
 * Each distribution's own vocabulary for "security patch of high severity", as Patch
 * Manager's filter keys spell it (see the predefined `AWS-*DefaultPatchBaseline`s).
 */
const RPM_VOCABULARY: Record<Exclude<LinuxOperatingSystem, 'UBUNTU' | 'DEBIAN'>, { high: string[]; lower: string[]; nonSecurity: string[] }> = {
  AMAZON_LINUX_2: { high: ['Critical', 'Important'], lower: ['Medium', 'Low'], nonSecurity: ['Bugfix'] },
  AMAZON_LINUX_2023: { high: ['Critical', 'Important'], lower: ['Medium', 'Low'], nonSecurity: ['Bugfix'] },
  REDHAT_ENTERPRISE_LINUX: { high: ['Critical', 'Important'], lower: ['Moderate', 'Low'], nonSecurity: ['Bugfix'] },
  CENTOS: { high: ['Critical', 'Important'], lower: ['Moderate', 'Low'], nonSecurity: ['Bugfix'] },
  ROCKY_LINUX: { high: ['Critical', 'Important'], lower: ['Moderate', 'Low'], nonSecurity: ['Bugfix'] },
  ALMA_LINUX: { high: ['Critical', 'Important'], lower: ['Moderate', 'Low'], nonSecurity: ['Bugfix'] },
  // Oracle's errata have no "Critical"; Important is its highest.
  ORACLE_LINUX: { high: ['Important'], lower: ['Moderate', 'Low'], nonSecurity: ['Bugfix'] },
  SUSE: { high: ['Critical', 'Important'], lower: ['Moderate', 'Low'], nonSecurity: ['Recommended'] },
};

const rule = (filters: Filter[], complianceLevel: string, approveAfterDays?: number): Rule => ({
  patchFilterGroup: { patchFilters: filters },
  complianceLevel,
  ...(approveAfterDays === undefined ? {} : { approveAfterDays }),
});

/** The approval rules for one operating system. */
export function approvalRules(os: OperatingSystem, approval: ApprovalProps = {}): Rule[] {
  const high = approval.criticalAfterDays ?? 7;
  const other = approval.otherAfterDays ?? 14;
  if (os === 'WINDOWS') {
    return [
      rule([{ key: 'CLASSIFICATION', values: ['CriticalUpdates', 'SecurityUpdates'] }, { key: 'MSRC_SEVERITY', values: ['Critical', 'Important'] }], 'CRITICAL', high),
      rule([{ key: 'CLASSIFICATION', values: ['CriticalUpdates', 'SecurityUpdates'] }, { key: 'MSRC_SEVERITY', values: ['Moderate', 'Low', 'Unspecified'] }], 'MEDIUM', other),
      rule([{ key: 'CLASSIFICATION', values: ['UpdateRollups', 'Updates'] }, { key: 'MSRC_SEVERITY', values: ['Unspecified'] }], 'LOW', other),
    ];
  }
  if (os === 'UBUNTU' || os === 'DEBIAN') {
    // Patch Manager has no release dates for Debian-family packages: ApproveAfterDays is
    // refused there. The change gate (an approved change per window) is the delay.
    return [
      rule([{ key: 'PRIORITY', values: ['Required', 'Important'] }], 'CRITICAL'),
      rule([{ key: 'PRIORITY', values: ['Standard', 'Optional', 'Extra'] }], 'LOW'),
    ];
  }
  const v = RPM_VOCABULARY[os];
  return [
    rule([{ key: 'CLASSIFICATION', values: ['Security'] }, { key: 'SEVERITY', values: v.high }], 'CRITICAL', high),
    rule([{ key: 'CLASSIFICATION', values: ['Security'] }, { key: 'SEVERITY', values: v.lower }], 'MEDIUM', other),
    rule([{ key: 'CLASSIFICATION', values: v.nonSecurity }], 'LOW', other),
  ];
}

export interface PatchBaselinesProps {
  readonly prefix: string;
  /** @default every supported distribution */
  readonly linuxOperatingSystems?: readonly LinuxOperatingSystem[];
  /** @default criticalAfterDays 7, otherAfterDays 14 */
  readonly approval?: ApprovalProps;
  /** Registered with every Linux baseline. @default ['linux'] */
  readonly linuxPatchGroups: readonly string[];
  /** Registered with the Windows baseline. @default ['windows'] */
  readonly windowsPatchGroups: readonly string[];
}

/**
 * Reference baselines for Windows and each Linux distribution, each registered
 * with the patch groups (values of the `Patch Group` tag) its window patches.
 */
export class PatchBaselines extends Construct {
  readonly baselines: ReadonlyMap<OperatingSystem, CfnPatchBaseline>;

  constructor(scope: Construct, id: string, props: PatchBaselinesProps) {
    super(scope, id);
    const baselines = new Map<OperatingSystem, CfnPatchBaseline>();
    const systems: OperatingSystem[] = ['WINDOWS', ...(props.linuxOperatingSystems ?? LINUX_OPERATING_SYSTEMS)];
    for (const os of systems) {
      const name = `${props.prefix}-${os.toLowerCase().replace(/_/g, '-')}`;
      baselines.set(
        os,
        new CfnPatchBaseline(this, os, {
          name,
          description: `patchbridge reference baseline for ${os}: high-severity security after ${props.approval?.criticalAfterDays ?? 7} days, the rest after ${props.approval?.otherAfterDays ?? 14}`,
          operatingSystem: os,
          approvalRules: { patchRules: approvalRules(os, props.approval) },
          approvedPatchesComplianceLevel: 'UNSPECIFIED',
          patchGroups: [...(os === 'WINDOWS' ? props.windowsPatchGroups : props.linuxPatchGroups)],
        }),
      );
    }
    this.baselines = baselines;
  }
}
