import { Rng } from './random.js';

/** Operating systems the simulated fleet runs. */
export type SimPlatform = 'Windows' | 'AmazonLinux2' | 'AmazonLinux2023' | 'RedHatEnterpriseLinux' | 'Ubuntu' | 'SUSE';

export const PLATFORMS: readonly SimPlatform[] = [
  'Windows',
  'AmazonLinux2',
  'AmazonLinux2023',
  'RedHatEnterpriseLinux',
  'Ubuntu',
  'SUSE',
];

export type ComplianceSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNSPECIFIED';

export interface SimPatch {
  /** Compliance item id: a KB for Windows, `name.arch:epoch:version-release` for Linux. */
  readonly id: string;
  readonly title: string;
  /** `Details.Classification` as the OS reports it. */
  readonly classification: string;
  /** `Details.PatchSeverity`, the vendor's severity. */
  readonly vendorSeverity: string;
  /** `ComplianceItem.Severity`, as the baseline's compliance level assigns it. */
  readonly severity: ComplianceSeverity;
  readonly security: boolean;
  readonly cveIds: readonly string[];
  readonly requiresReboot: boolean;
}

export interface PlatformInfo {
  readonly platformType: 'Windows' | 'Linux';
  readonly platformName: string;
  readonly platformVersions: readonly string[];
  /** `OperatingSystem` of a patch baseline. */
  readonly operatingSystem: string;
  /** The AWS-provided default baseline (an ARN, as SSM reports predefined baselines). */
  readonly defaultBaselineId: string;
  readonly defaultBaselineName: string;
  /** The AWS-RunPatchBaseline plugin that runs on this OS. */
  readonly pluginName: 'PatchWindows' | 'PatchLinux';
}

export const PLATFORM_INFO: Readonly<Record<SimPlatform, PlatformInfo>> = {
  Windows: {
    platformType: 'Windows',
    platformName: 'Microsoft Windows Server 2022 Datacenter',
    platformVersions: ['10.0.20348', '10.0.17763'],
    operatingSystem: 'WINDOWS',
    defaultBaselineId: 'arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0a2d2d0b2ed3f9ae4',
    defaultBaselineName: 'AWS-DefaultPatchBaseline',
    pluginName: 'PatchWindows',
  },
  AmazonLinux2: {
    platformType: 'Linux',
    platformName: 'Amazon Linux',
    platformVersions: ['2'],
    operatingSystem: 'AMAZON_LINUX_2',
    defaultBaselineId: 'arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0be8c61cde3be63f3',
    defaultBaselineName: 'AWS-AmazonLinux2DefaultPatchBaseline',
    pluginName: 'PatchLinux',
  },
  AmazonLinux2023: {
    platformType: 'Linux',
    platformName: 'Amazon Linux',
    platformVersions: ['2023'],
    operatingSystem: 'AMAZON_LINUX_2023',
    defaultBaselineId: 'arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-05c9c9bf778d4c4d0',
    defaultBaselineName: 'AWS-AmazonLinux2023DefaultPatchBaseline',
    pluginName: 'PatchLinux',
  },
  RedHatEnterpriseLinux: {
    platformType: 'Linux',
    platformName: 'Red Hat Enterprise Linux',
    platformVersions: ['9.3', '8.9'],
    operatingSystem: 'REDHAT_ENTERPRISE_LINUX',
    defaultBaselineId: 'arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0cbb3a633de00f07c',
    defaultBaselineName: 'AWS-RedHatDefaultPatchBaseline',
    pluginName: 'PatchLinux',
  },
  Ubuntu: {
    platformType: 'Linux',
    platformName: 'Ubuntu',
    platformVersions: ['22.04', '20.04'],
    operatingSystem: 'UBUNTU',
    defaultBaselineId: 'arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-06e3563bd35503f2b',
    defaultBaselineName: 'AWS-UbuntuDefaultPatchBaseline',
    pluginName: 'PatchLinux',
  },
  SUSE: {
    platformType: 'Linux',
    platformName: 'SLES',
    platformVersions: ['15.5', '12.5'],
    operatingSystem: 'SUSE',
    defaultBaselineId: 'arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-07d8884178197b66b',
    defaultBaselineName: 'AWS-SuseDefaultPatchBaseline',
    pluginName: 'PatchLinux',
  },
};

const LINUX_PACKAGES = [
  'kernel',
  'openssl-libs',
  'glibc',
  'curl',
  'libcurl',
  'sudo',
  'openssh-server',
  'systemd',
  'bind-libs',
  'python3',
  'vim-minimal',
  'tzdata',
  'ca-certificates',
  'nss',
  'krb5-libs',
  'libxml2',
  'expat',
  'git',
  'perl',
  'less',
  'zlib',
  'sqlite-libs',
  'polkit',
  'dbus',
];

const UBUNTU_PACKAGES = [
  'linux-image-generic',
  'libssl3',
  'openssl',
  'libc6',
  'curl',
  'sudo',
  'openssh-server',
  'systemd',
  'bind9-libs',
  'python3.10',
  'vim',
  'tzdata',
  'ca-certificates',
  'libnss3',
  'libkrb5-3',
  'libxml2',
  'libexpat1',
  'git',
  'perl',
  'less',
  'zlib1g',
  'libsqlite3-0',
  'policykit-1',
  'dbus',
];

const WINDOWS_UPDATES = [
  ['Cumulative Update for Windows Server 2022 for x64-based Systems', 'SecurityUpdates'],
  ['Security Update for Microsoft .NET Framework 4.8', 'SecurityUpdates'],
  ['Servicing Stack Update for Windows Server 2022', 'CriticalUpdates'],
  ['Security Intelligence Update for Microsoft Defender Antivirus', 'DefinitionUpdates'],
  ['Cumulative Update for .NET Framework 3.5 and 4.8', 'Updates'],
  ['Windows Malicious Software Removal Tool x64', 'UpdateRollups'],
  ['Security Monthly Quality Rollup for Windows Server 2019', 'SecurityUpdates'],
  ['Update for Microsoft Edge', 'Updates'],
] as const;

const CATALOG_SIZE = 24;

function severityOf(vendor: string): ComplianceSeverity {
  switch (vendor) {
    case 'Critical':
      return 'CRITICAL';
    case 'Important':
    case 'Required':
      return 'HIGH';
    case 'Moderate':
    case 'Medium':
    case 'Standard':
      return 'MEDIUM';
    case 'Low':
    case 'Optional':
      return 'LOW';
    default:
      return 'UNSPECIFIED';
  }
}

function cves(rng: Rng, security: boolean): string[] {
  if (!security) return [];
  const n = rng.int(1, 3);
  return Array.from({ length: n }, () => `CVE-${rng.int(2022, 2025)}-${rng.int(1000, 49999)}`);
}

function linuxRelease(platform: SimPlatform, rng: Rng): string {
  switch (platform) {
    case 'AmazonLinux2':
      return `${rng.int(1, 60)}.amzn2`;
    case 'AmazonLinux2023':
      return `${rng.int(1, 20)}.amzn2023.0.${rng.int(1, 9)}`;
    case 'RedHatEnterpriseLinux':
      return `${rng.int(1, 40)}.el9_3`;
    default:
      return `${rng.int(1, 150)}.1`;
  }
}

function buildCatalog(platform: SimPlatform, seed: number | string): SimPatch[] {
  const rng = Rng.derive(seed, 'catalog', platform);
  const out: SimPatch[] = [];
  for (let i = 0; i < CATALOG_SIZE; i++) {
    if (platform === 'Windows') {
      const [name, classification] = WINDOWS_UPDATES[i % WINDOWS_UPDATES.length]!;
      const kb = `KB${5030000 + rng.int(0, 9999)}`;
      const security = classification === 'SecurityUpdates' || classification === 'CriticalUpdates';
      const vendorSeverity = security ? rng.weighted([['Critical', 2], ['Important', 3], ['Moderate', 1]] as const) : 'Unspecified';
      out.push({
        id: kb,
        title: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')} ${name} (${kb})`,
        classification,
        vendorSeverity,
        severity: severityOf(vendorSeverity),
        security,
        cveIds: cves(rng, security),
        requiresReboot: classification !== 'DefinitionUpdates',
      });
      continue;
    }
    if (platform === 'Ubuntu') {
      const name = UBUNTU_PACKAGES[i % UBUNTU_PACKAGES.length]!;
      const vendorSeverity = rng.weighted([['Required', 1], ['Important', 2], ['Standard', 3], ['Optional', 1]] as const);
      const security = vendorSeverity === 'Required' || vendorSeverity === 'Important';
      out.push({
        id: name,
        title: name,
        // Ubuntu reports the archive section, not a classification.
        classification: security ? 'security' : 'updates',
        vendorSeverity,
        severity: severityOf(vendorSeverity),
        security,
        cveIds: cves(rng, security),
        requiresReboot: name.startsWith('linux-image') || name === 'libc6',
      });
      continue;
    }
    const name = LINUX_PACKAGES[i % LINUX_PACKAGES.length]!;
    const classification = rng.weighted([['Security', 3], ['Bugfix', 2], ['Enhancement', 1]] as const);
    const security = classification === 'Security';
    const vendorSeverity = security ? rng.weighted([['Critical', 1], ['Important', 3], ['Medium', 2], ['Low', 1]] as const) : 'None';
    const version = `${rng.int(1, 5)}.${rng.int(0, 30)}.${rng.int(0, 20)}`;
    const arch = platform === 'SUSE' ? 'x86_64' : rng.chance(0.9) ? 'x86_64' : 'noarch';
    const id = `${name}.${arch}:0:${version}-${linuxRelease(platform, rng)}`;
    out.push({
      id,
      title: id,
      classification: platform === 'SUSE' ? (security ? 'security' : 'recommended') : classification,
      vendorSeverity: platform === 'SUSE' && vendorSeverity === 'Medium' ? 'moderate' : vendorSeverity,
      severity: severityOf(vendorSeverity),
      security,
      cveIds: cves(rng, security),
      requiresReboot: name === 'kernel' || name === 'glibc' || name === 'systemd',
    });
  }
  return out;
}

/** The patch catalog per platform: fixed for a seed, shared by every instance of that platform. */
export function buildCatalogs(seed: number | string): Record<SimPlatform, SimPatch[]> {
  const out = {} as Record<SimPlatform, SimPatch[]>;
  for (const p of PLATFORMS) out[p] = buildCatalog(p, seed);
  return out;
}

/** Patch states, as SSM names them, stored one byte per patch. */
export const PATCH_STATES = [
  'NotApplicable',
  'Installed',
  'InstalledOther',
  'InstalledPendingReboot',
  'InstalledRejected',
  'Missing',
  'Failed',
] as const;
export type SimPatchState = (typeof PATCH_STATES)[number];
export const STATE = {
  NotApplicable: 0,
  Installed: 1,
  InstalledOther: 2,
  InstalledPendingReboot: 3,
  InstalledRejected: 4,
  Missing: 5,
  Failed: 6,
} as const;

/** InstalledPendingReboot counts as non-compliant: the SSM default since 2021. */
export function isNonCompliant(code: number): boolean {
  return code >= STATE.InstalledPendingReboot;
}
