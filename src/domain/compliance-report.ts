/**
 * The compliance report: per-instance rows and per-group / per-account / fleet
 * summaries, accumulated from daily snapshot records read in day order.
 * Pure: memory is one accumulator per instance plus one counter per group per day,
 * whatever the number of days.
 */
import { ValidationError } from '../core/index.js';
import {
  type ComplianceStatus,
  daysBetween,
  type SnapshotRecord,
  UNMANAGED_GROUP,
  ZERO_COUNTS,
} from './compliance.js';
import { ownString } from './snapshot-line.js';

/** One CSV row: one instance over the report period. Keys are the CSV column names. */
export interface ReportRow {
  readonly account_id: string;
  readonly region: string;
  readonly instance_id: string;
  readonly computer_name: string | null;
  readonly platform: string | null;
  readonly patch_group: string | null;
  readonly baseline_id: string | null;
  readonly current_status: ComplianceStatus;
  readonly days_observed: number;
  readonly days_compliant: number;
  readonly days_non_compliant: number;
  readonly compliant_days_pct: number | null;
  readonly first_non_compliant_date: string | null;
  readonly remediated_date: string | null;
  readonly time_to_remediate_days: number | null;
  readonly missing_count: number;
  readonly failed_count: number;
  readonly critical_non_compliant_count: number;
  readonly security_non_compliant_count: number;
  readonly other_non_compliant_count: number;
  readonly installed_pending_reboot_count: number;
  readonly installed_rejected_count: number;
  readonly pending_reboot: boolean;
  readonly unmanaged: boolean;
  readonly stale: boolean;
  readonly ping_status: string;
  readonly last_ping_at: string | null;
  readonly last_operation: string | null;
  readonly last_operation_at: string | null;
  readonly last_seen_date: string;
}

/**
 * The CSV columns in their stable order, with what each means. docs/reports.md
 * documents the same list (a test keeps them in step); add new columns at the end.
 */
export const REPORT_COLUMNS = [
  ['account_id', 'AWS account id.'],
  ['region', 'AWS region.'],
  ['instance_id', 'Managed instance id (`i-…` EC2, `mi-…` hybrid).'],
  ['computer_name', 'Host name the SSM Agent reports.'],
  ['platform', 'Platform name, e.g. `Amazon Linux`, else the platform type (`Linux`, `Windows`, `MacOS`).'],
  ['patch_group', 'Patch group (the `Patch Group` tag) on the last day seen; empty when unmanaged.'],
  ['baseline_id', 'Patch baseline of the last patch operation.'],
  ['current_status', '`COMPLIANT`, `NON_COMPLIANT` or `UNREPORTED` on the last day seen (live state for a report ending today).'],
  ['days_observed', 'Days of the period with a record for the instance.'],
  ['days_compliant', 'Days the instance was `COMPLIANT`.'],
  ['days_non_compliant', 'Days the instance was `NON_COMPLIANT`.'],
  ['compliant_days_pct', '`days_compliant / days_observed × 100`, one decimal.'],
  ['first_non_compliant_date', 'First day of the period the instance was seen `NON_COMPLIANT`.'],
  ['remediated_date', 'First day after `first_non_compliant_date` the instance was seen `COMPLIANT` again.'],
  ['time_to_remediate_days', '`remediated_date − first_non_compliant_date` in days; empty while not remediated.'],
  ['missing_count', 'Missing patches now.'],
  ['failed_count', 'Patches whose installation failed, now.'],
  ['critical_non_compliant_count', 'Missing patches the baseline classes as Critical.'],
  ['security_non_compliant_count', 'Missing patches the baseline classes as Security.'],
  ['other_non_compliant_count', 'Every other missing patch.'],
  ['installed_pending_reboot_count', 'Patches installed but waiting for a reboot.'],
  ['installed_rejected_count', 'Installed patches on the baseline’s rejected list.'],
  ['pending_reboot', '`true` when `installed_pending_reboot_count > 0`.'],
  ['unmanaged', '`true` when the instance has no patch group.'],
  ['stale', '`true` when the instance has not pinged SSM for longer than `PATCHBRIDGE_STALE_DAYS`.'],
  ['ping_status', '`Online`, `ConnectionLost` or `Inactive`.'],
  ['last_ping_at', 'Last SSM Agent heartbeat (ISO-8601 UTC).'],
  ['last_operation', '`Scan` or `Install`.'],
  ['last_operation_at', 'End of the last patch operation (ISO-8601 UTC).'],
  ['last_seen_date', 'Last day of the period with a record; earlier than the period end when the instance left the fleet.'],
] as const satisfies readonly (readonly [keyof ReportRow, string])[];

export type ReportColumn = (typeof REPORT_COLUMNS)[number][0];

export interface TrendPoint {
  readonly date: string;
  readonly instances: number;
  readonly compliant: number;
  /** `null` on a day with no records. */
  readonly compliancePct: number | null;
}

export interface SegmentSummary {
  /** Patch group name, account id, or `fleet`. */
  readonly key: string;
  /** Instances present at the end of the period. */
  readonly instances: number;
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly unreported: number;
  /** `compliant / instances × 100`, one decimal; `null` with no instances. Unreported instances count against it. */
  readonly compliancePct: number | null;
  readonly unmanaged: number;
  readonly stale: number;
  readonly pendingReboot: number;
  readonly missingPatches: number;
  readonly failedPatches: number;
  readonly criticalPatches: number;
  /** Instances that went non-compliant in the period and came back. */
  readonly remediated: number;
  readonly meanTimeToRemediateDays: number | null;
  readonly trend: readonly TrendPoint[];
}

export interface WorstOffender {
  readonly account_id: string;
  readonly region: string;
  readonly instance_id: string;
  readonly patch_group: string | null;
  readonly critical_non_compliant_count: number;
  readonly missing_count: number;
  readonly failed_count: number;
  readonly days_non_compliant: number;
  readonly first_non_compliant_date: string | null;
}

export interface ReportSummary {
  readonly period: { readonly start: string; readonly end: string; readonly days: number };
  readonly generatedAt: string;
  /** Whether the last day came from the live fleet rather than a snapshot. */
  readonly live: boolean;
  readonly fleet: SegmentSummary;
  readonly byPatchGroup: readonly SegmentSummary[];
  readonly byAccount: readonly SegmentSummary[];
  readonly worstOffenders: readonly WorstOffender[];
  /** Every instance with at least one record in the period, including ones that left the fleet. */
  readonly instancesSeen: number;
  /** Period days with no record at all (a snapshot that did not run). */
  readonly daysWithoutData: readonly string[];
}

/** Per-segment counters over the period, one slot per period day. */
class SegmentTrend {
  readonly instances: Uint32Array;
  readonly compliant: Uint32Array;
  constructor(days: number) {
    this.instances = new Uint32Array(days);
    this.compliant = new Uint32Array(days);
  }
  add(dayIndex: number, compliant: boolean): void {
    this.instances[dayIndex] = (this.instances[dayIndex] ?? 0) + 1;
    if (compliant) this.compliant[dayIndex] = (this.compliant[dayIndex] ?? 0) + 1;
  }
  merge(other: TrendData): void {
    for (let i = 0; i < this.instances.length; i++) {
      this.instances[i] = (this.instances[i] ?? 0) + (other.instances[i] ?? 0);
      this.compliant[i] = (this.compliant[i] ?? 0) + (other.compliant[i] ?? 0);
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the accumulator keeps per instance; mutable on purpose (one object per instance, updated in place). */
interface InstanceState {
  /** The accumulator's own copy of the last record, refreshed in place day after day. */
  readonly latest: Mutable<SnapshotRecord>;
  firstDayIndex: number;
  lastDayIndex: number;
  daysObserved: number;
  daysCompliant: number;
  daysNonCompliant: number;
  firstNonCompliant: string | undefined;
  remediated: string | undefined;
  /** Kept so a later part of the period can be merged in: it may remediate a failure of this part. */
  firstCompliant: string | undefined;
  /** The instance whose record came right after this one's last time (see `add`); not part of the state's data. */
  next: InstanceState | undefined;
}

/** An instance's state as plain data (see `AccumulatorState`). */
export interface InstanceStateData {
  readonly latest: SnapshotRecord;
  readonly firstDayIndex: number;
  readonly lastDayIndex: number;
  readonly daysObserved: number;
  readonly daysCompliant: number;
  readonly daysNonCompliant: number;
  readonly firstNonCompliant: string | null;
  readonly remediated: string | null;
  readonly firstCompliant: string | null;
}

/** Per-day counters of one segment as plain data. */
export interface TrendData {
  readonly instances: Uint32Array;
  readonly compliant: Uint32Array;
}

/**
 * What an accumulator holds, as plain data a worker thread can post back
 * (structured clone): `ComplianceAccumulator.state()` gives it,
 * `ComplianceAccumulator.merge()` folds it into another accumulator.
 */
export interface AccumulatorState {
  readonly days: readonly string[];
  readonly records: number;
  readonly fleet: TrendData;
  readonly groups: readonly (readonly [string, TrendData])[];
  readonly accounts: readonly (readonly [string, TrendData])[];
  readonly instances: readonly InstanceStateData[];
}

export interface AccumulatorOptions {
  /** The period's days, oldest first. Records for other days are refused. */
  readonly days: readonly string[];
  /** How many worst offenders the summary lists; `undefined` or absent: 10. */
  readonly worstOffenders?: number | undefined;
}

const MAX_SHARED_STRINGS = 100_000;

/** What a new instance's own copy of its record starts from: every field is then set by `#refresh`. */
const BLANK: SnapshotRecord = Object.freeze({
  ...ZERO_COUNTS,
  captured_at: '',
  account_id: '',
  aws_region: '',
  instance_id: '',
  computer_name: null,
  platform_type: null,
  platform_name: null,
  resource_type: null,
  patch_group: null,
  baseline_id: null,
  status: 'UNREPORTED',
  last_operation: null,
  last_operation_at: null,
  ping_status: '',
  last_ping_at: null,
  unmanaged: false,
  stale: false,
});

export function pct(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/** account id → region → instance id → state: no per-record key string to build and hash. */
type InstanceIndex = Map<string, Map<string, Map<string, InstanceState>>>;

/**
 * Folds daily snapshot records into report rows and summaries. Feed records day
 * by day, oldest first (`add`); within a day any order. A second record for the
 * same instance on the same day is ignored.
 *
 * `add` runs once per record of a 30-day history (millions for a large fleet),
 * so it allocates nothing for a record whose values repeat the day before:
 * that keeps the report's garbage, and so its peak memory, low.
 */
export class ComplianceAccumulator {
  readonly #days: readonly string[];
  readonly #dayIndex: Map<string, number>;
  readonly #instances: InstanceIndex = new Map();
  readonly #fleet: SegmentTrend;
  readonly #groups = new Map<string, SegmentTrend>();
  readonly #accounts = new Map<string, SegmentTrend>();
  readonly #worst: number;
  readonly #strings = new Map<string, string>();
  #lastDay = '';
  #lastDayIndex = -1;
  #records = 0;
  #instanceCount = 0;
  #lastAccount = '';
  #lastRegion = '';
  #lastById: Map<string, InstanceState> | undefined;
  /** The instance of the last record added. */
  #previous: InstanceState | undefined;

  constructor(options: AccumulatorOptions) {
    if (options.days.length === 0) throw new ValidationError('VALIDATION_FAILED', 'a report period needs at least one day');
    this.#days = options.days;
    this.#dayIndex = new Map(options.days.map((d, i) => [d, i]));
    this.#worst = options.worstOffenders ?? 10;
    this.#fleet = new SegmentTrend(options.days.length);
  }

  /**
   * Copies a day's record into the instance's own copy. Strings that repeat
   * across the fleet (group, region, platform, status…) are kept once, and a value
   * equal to the stored one keeps the stored string: a large fleet read day
   * after day then leaves almost nothing behind for the garbage collector.
   */
  #refresh(t: Mutable<SnapshotRecord>, r: SnapshotRecord): void {
    t.captured_at = this.#keep(t.captured_at, r.captured_at);
    t.account_id = this.#keep(t.account_id, r.account_id);
    t.aws_region = this.#keep(t.aws_region, r.aws_region);
    // Values unique to the instance are copied when they change: the record's own
    // strings may be views into a whole decompressed chunk (see `ownString`).
    if (t.instance_id !== r.instance_id) t.instance_id = ownString(r.instance_id);
    if (t.computer_name !== r.computer_name) t.computer_name = r.computer_name === null ? null : ownString(r.computer_name);
    t.platform_type = r.platform_type === null ? null : this.#keep(t.platform_type, r.platform_type);
    t.platform_name = r.platform_name === null ? null : this.#keep(t.platform_name, r.platform_name);
    t.resource_type = r.resource_type === null ? null : this.#keep(t.resource_type, r.resource_type);
    t.patch_group = r.patch_group === null ? null : this.#keep(t.patch_group, r.patch_group);
    t.baseline_id = r.baseline_id === null ? null : this.#keep(t.baseline_id, r.baseline_id);
    t.status = r.status;
    t.last_operation = r.last_operation;
    if (t.last_operation_at !== r.last_operation_at) t.last_operation_at = r.last_operation_at === null ? null : ownString(r.last_operation_at);
    t.ping_status = this.#keep(t.ping_status, r.ping_status);
    if (t.last_ping_at !== r.last_ping_at) t.last_ping_at = r.last_ping_at === null ? null : ownString(r.last_ping_at);
    t.unmanaged = r.unmanaged;
    t.stale = r.stale;
    // Spelled out: a loop over the names is a keyed store per count, several times slower.
    t.installed_count = r.installed_count;
    t.installed_other_count = r.installed_other_count;
    t.installed_pending_reboot_count = r.installed_pending_reboot_count;
    t.installed_rejected_count = r.installed_rejected_count;
    t.missing_count = r.missing_count;
    t.failed_count = r.failed_count;
    t.not_applicable_count = r.not_applicable_count;
    t.critical_non_compliant_count = r.critical_non_compliant_count;
    t.security_non_compliant_count = r.security_non_compliant_count;
    t.other_non_compliant_count = r.other_non_compliant_count;
  }

  /** The stored string when the new value equals it, else the shared copy of the new value. */
  #keep(current: string | null, next: string): string {
    if (current === next) return current;
    const known = this.#strings.get(next);
    if (known !== undefined) return known;
    const own = ownString(next);
    // A cap keeps a field that turns out not to repeat from growing the table without bound.
    if (this.#strings.size < MAX_SHARED_STRINGS) this.#strings.set(own, own);
    return own;
  }

  /** Records folded so far. */
  get records(): number {
    return this.#records;
  }

  /** Instances seen so far. */
  get instances(): number {
    return this.#instanceCount;
  }

  add(day: string, record: SnapshotRecord): void {
    const index = day === this.#lastDay ? this.#lastDayIndex : this.#enterDay(day);
    // Our snapshots list a fleet in the same order every day, so the instance that
    // followed this record's predecessor last time is most likely this one: one
    // comparison instead of hashing the id and a lookup in a fleet-sized map.
    const guess = this.#previous?.next;
    let byId: Map<string, InstanceState> | undefined;
    let state: InstanceState | undefined;
    if (
      guess !== undefined &&
      guess.latest.instance_id === record.instance_id &&
      guess.latest.aws_region === record.aws_region &&
      guess.latest.account_id === record.account_id
    ) {
      state = guess;
    } else {
      byId = this.#target(record.account_id, record.aws_region);
      state = byId.get(record.instance_id);
    }
    if (state?.lastDayIndex === index) return;
    if (!state) {
      state = {
        latest: { ...BLANK },
        firstDayIndex: index,
        lastDayIndex: index,
        daysObserved: 0,
        daysCompliant: 0,
        daysNonCompliant: 0,
        firstNonCompliant: undefined,
        remediated: undefined,
        firstCompliant: undefined,
        next: undefined,
      };
      this.#refresh(state.latest, record);
      // Keyed by the state's own copy of the id: the record's may be a view into a whole chunk.
      (byId ?? this.#target(record.account_id, record.aws_region)).set(state.latest.instance_id, state);
      this.#instanceCount++;
    } else {
      this.#refresh(state.latest, record);
    }
    state.lastDayIndex = index;
    state.daysObserved++;
    const compliant = record.status === 'COMPLIANT';
    if (compliant) {
      state.daysCompliant++;
      state.firstCompliant ??= day;
      if (state.firstNonCompliant !== undefined && state.remediated === undefined) state.remediated = day;
    } else if (record.status === 'NON_COMPLIANT') {
      state.daysNonCompliant++;
      state.firstNonCompliant ??= day;
    }
    this.#fleet.add(index, compliant);
    // The kept strings, not the record's: their hashes are already computed.
    this.#segment(this.#groups, state.latest.patch_group ?? UNMANAGED_GROUP).add(index, compliant);
    this.#segment(this.#accounts, state.latest.account_id).add(index, compliant);
    this.#records++;
    if (this.#previous !== undefined && this.#previous.next !== state) this.#previous.next = state;
    this.#previous = state;
  }

  /** This accumulator's content as plain data, for another accumulator's `merge`. */
  state(): AccumulatorState {
    const trend = (t: SegmentTrend): TrendData => ({ instances: t.instances, compliant: t.compliant });
    const instances: InstanceStateData[] = [];
    for (const s of this.#states()) {
      // Structured clone keeps `undefined` too, but a plain-data contract says null.
      instances.push({
        latest: s.latest,
        firstDayIndex: s.firstDayIndex,
        lastDayIndex: s.lastDayIndex,
        daysObserved: s.daysObserved,
        daysCompliant: s.daysCompliant,
        daysNonCompliant: s.daysNonCompliant,
        firstNonCompliant: s.firstNonCompliant ?? null,
        remediated: s.remediated ?? null,
        firstCompliant: s.firstCompliant ?? null,
      });
    }
    return {
      days: this.#days,
      records: this.#records,
      fleet: trend(this.#fleet),
      groups: [...this.#groups].map(([k, t]) => [k, trend(t)] as const),
      accounts: [...this.#accounts].map(([k, t]) => [k, trend(t)] as const),
      instances,
    };
  }

  /**
   * Folds in what another accumulator over the same period gathered, as if its
   * records had been added here. Instances only one side saw are taken as
   * they are; an instance both saw must have been seen on days of one side all
   * before the days of the other (parts split by instance, or by day ranges),
   * else `VALIDATION_FAILED`. Records added afterwards must still come in day order.
   */
  merge(other: AccumulatorState): void {
    if (other.days.length !== this.#days.length || other.days.some((d, i) => d !== this.#days[i])) {
      throw new ValidationError('VALIDATION_FAILED', 'the accumulators cover different periods');
    }
    const n = this.#days.length;
    const dayAt = (i: number, what: string): string => {
      const day = Number.isInteger(i) && i >= 0 && i < n ? this.#days[i] : undefined;
      if (day === undefined) throw new ValidationError('VALIDATION_FAILED', `merged state has a bad ${what}`);
      return day;
    };
    const inPeriod = (day: string | null, what: string): string | undefined => {
      if (day !== null && !this.#dayIndex.has(day)) throw new ValidationError('VALIDATION_FAILED', `merged state has a bad ${what}`);
      return day ?? undefined;
    };
    let last = this.#lastDayIndex;
    for (const o of other.instances) {
      dayAt(o.firstDayIndex, 'first day');
      dayAt(o.lastDayIndex, 'last day');
      const theirs: InstanceState = {
        latest: { ...o.latest },
        firstDayIndex: o.firstDayIndex,
        lastDayIndex: o.lastDayIndex,
        daysObserved: o.daysObserved,
        daysCompliant: o.daysCompliant,
        daysNonCompliant: o.daysNonCompliant,
        firstNonCompliant: inPeriod(o.firstNonCompliant, 'first non-compliant day'),
        remediated: inPeriod(o.remediated, 'remediation day'),
        firstCompliant: inPeriod(o.firstCompliant, 'first compliant day'),
        next: undefined,
      };
      this.#refresh(theirs.latest, o.latest);
      last = Math.max(last, o.lastDayIndex);
      const byId = this.#target(theirs.latest.account_id, theirs.latest.aws_region);
      const mine = byId.get(theirs.latest.instance_id);
      if (!mine) {
        byId.set(theirs.latest.instance_id, theirs);
        this.#instanceCount++;
        continue;
      }
      let earlier: InstanceState;
      let later: InstanceState;
      if (theirs.firstDayIndex > mine.lastDayIndex) [earlier, later] = [mine, theirs];
      else if (theirs.lastDayIndex < mine.firstDayIndex) [earlier, later] = [theirs, mine];
      else throw new ValidationError('VALIDATION_FAILED', `instance ${theirs.latest.instance_id} has records on overlapping days in both parts`);
      if (later === theirs) this.#refresh(mine.latest, theirs.latest);
      mine.remediated = earlier.firstNonCompliant !== undefined ? (earlier.remediated ?? later.firstCompliant) : later.remediated;
      mine.firstNonCompliant = earlier.firstNonCompliant ?? later.firstNonCompliant;
      mine.firstCompliant = earlier.firstCompliant ?? later.firstCompliant;
      mine.firstDayIndex = earlier.firstDayIndex;
      mine.lastDayIndex = later.lastDayIndex;
      mine.daysObserved += theirs.daysObserved;
      mine.daysCompliant += theirs.daysCompliant;
      mine.daysNonCompliant += theirs.daysNonCompliant;
    }
    this.#fleet.merge(other.fleet);
    for (const [key, t] of other.groups) this.#segment(this.#groups, key).merge(t);
    for (const [key, t] of other.accounts) this.#segment(this.#accounts, key).merge(t);
    this.#records += other.records;
    if (last > this.#lastDayIndex) {
      this.#lastDayIndex = last;
      this.#lastDay = dayAt(last, 'last day');
    }
  }

  #enterDay(day: string): number {
    const index = this.#dayIndex.get(day);
    if (index === undefined) throw new ValidationError('VALIDATION_FAILED', `day ${day} is outside the report period`);
    if (index < this.#lastDayIndex) throw new ValidationError('VALIDATION_FAILED', `day ${day} arrived after a later day; feed days oldest first`);
    this.#lastDay = day;
    this.#lastDayIndex = index;
    return index;
  }

  #target(accountId: string, region: string): Map<string, InstanceState> {
    // A history object holds one account and region: most records ask for the same map as the one before.
    if (accountId === this.#lastAccount && region === this.#lastRegion && this.#lastById) return this.#lastById;
    let regions = this.#instances.get(accountId);
    if (!regions) {
      regions = new Map();
      this.#instances.set(ownString(accountId), regions);
    }
    let byId = regions.get(region);
    if (!byId) {
      byId = new Map();
      regions.set(ownString(region), byId);
    }
    this.#lastAccount = accountId;
    this.#lastRegion = region;
    this.#lastById = byId;
    return byId;
  }

  #segment(map: Map<string, SegmentTrend>, key: string): SegmentTrend {
    let s = map.get(key);
    if (!s) {
      s = new SegmentTrend(this.#days.length);
      map.set(key, s);
    }
    return s;
  }

  *#states(): Generator<InstanceState> {
    for (const regions of this.#instances.values()) for (const byId of regions.values()) yield* byId.values();
  }

  /** Rows sorted by account, region, instance id. Cheap to call more than once. */
  *rows(): Generator<ReportRow> {
    const keyed: [string, InstanceState][] = [];
    for (const s of this.#states()) keyed.push([`${s.latest.account_id}/${s.latest.aws_region}/${s.latest.instance_id}`, s]);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, state] of keyed) yield toRow(state, this.#days);
  }

  /** The summaries; `end` is the last day of the period that has records. */
  summary(input: { generatedAt: string; live: boolean }): ReportSummary {
    const start = this.#days[0] ?? '';
    const periodEnd = this.#days[this.#days.length - 1] ?? '';
    const hasData = (i: number) => (this.#fleet.instances[i] ?? 0) > 0;
    const daysWithoutData = this.#days.filter((_, i) => !hasData(i));
    let lastDataIndex = this.#days.length - 1;
    while (lastDataIndex >= 0 && !hasData(lastDataIndex)) lastDataIndex--;
    const current: InstanceState[] = [];
    for (const state of this.#states()) if (state.lastDayIndex === lastDataIndex) current.push(state);

    const fleet = this.#segmentSummary('fleet', current, this.#fleet);
    const inGroup = groupBy(current, (s) => s.latest.patch_group ?? UNMANAGED_GROUP);
    const inAccount = groupBy(current, (s) => s.latest.account_id);
    const byPatchGroup = [...this.#groups.entries()]
      .map(([name, trend]) => this.#segmentSummary(name, inGroup.get(name) ?? [], trend))
      .sort((a, b) => a.key.localeCompare(b.key));
    const byAccount = [...this.#accounts.entries()]
      .map(([id, trend]) => this.#segmentSummary(id, inAccount.get(id) ?? [], trend))
      .sort((a, b) => a.key.localeCompare(b.key));
    return {
      period: { start, end: periodEnd, days: this.#days.length },
      generatedAt: input.generatedAt,
      live: input.live,
      fleet,
      byPatchGroup,
      byAccount,
      worstOffenders: this.#worstOffenders(current),
      instancesSeen: this.#instanceCount,
      daysWithoutData,
    };
  }

  #segmentSummary(key: string, current: readonly InstanceState[], trend: SegmentTrend): SegmentSummary {
    let compliant = 0;
    let nonCompliant = 0;
    let unreported = 0;
    let unmanaged = 0;
    let stale = 0;
    let pendingReboot = 0;
    let missingPatches = 0;
    let failedPatches = 0;
    let criticalPatches = 0;
    let remediated = 0;
    let ttrTotal = 0;
    for (const s of current) {
      const r = s.latest;
      if (r.status === 'COMPLIANT') compliant++;
      else if (r.status === 'NON_COMPLIANT') nonCompliant++;
      else unreported++;
      if (r.unmanaged) unmanaged++;
      if (r.stale) stale++;
      if (r.installed_pending_reboot_count > 0) pendingReboot++;
      missingPatches += r.missing_count;
      failedPatches += r.failed_count;
      criticalPatches += r.critical_non_compliant_count;
      if (s.firstNonCompliant !== undefined && s.remediated !== undefined) {
        remediated++;
        ttrTotal += daysBetween(s.firstNonCompliant, s.remediated);
      }
    }
    return {
      key,
      instances: current.length,
      compliant,
      nonCompliant,
      unreported,
      compliancePct: pct(compliant, current.length),
      unmanaged,
      stale,
      pendingReboot,
      missingPatches,
      failedPatches,
      criticalPatches,
      remediated,
      meanTimeToRemediateDays: remediated === 0 ? null : Math.round((ttrTotal / remediated) * 10) / 10,
      trend: this.#days.map((date, i) => {
        const instances = trend.instances[i] ?? 0;
        const inCompliance = trend.compliant[i] ?? 0;
        return { date, instances, compliant: inCompliance, compliancePct: instances > 0 ? pct(inCompliance, instances) : null };
      }),
    };
  }

  #worstOffenders(current: readonly InstanceState[]): WorstOffender[] {
    return current
      .filter((s) => s.latest.status === 'NON_COMPLIANT')
      .sort(
        (a, b) =>
          b.latest.critical_non_compliant_count - a.latest.critical_non_compliant_count ||
          b.latest.missing_count + b.latest.failed_count - (a.latest.missing_count + a.latest.failed_count) ||
          b.daysNonCompliant - a.daysNonCompliant ||
          a.latest.instance_id.localeCompare(b.latest.instance_id),
      )
      .slice(0, this.#worst)
      .map((s) => ({
        account_id: s.latest.account_id,
        region: s.latest.aws_region,
        instance_id: s.latest.instance_id,
        patch_group: s.latest.patch_group,
        critical_non_compliant_count: s.latest.critical_non_compliant_count,
        missing_count: s.latest.missing_count,
        failed_count: s.latest.failed_count,
        days_non_compliant: s.daysNonCompliant,
        first_non_compliant_date: s.firstNonCompliant ?? null,
      }));
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function toRow(s: InstanceState, days: readonly string[]): ReportRow {
  const r = s.latest;
  return {
    account_id: r.account_id,
    region: r.aws_region,
    instance_id: r.instance_id,
    computer_name: r.computer_name,
    platform: r.platform_name ?? r.platform_type,
    patch_group: r.patch_group,
    baseline_id: r.baseline_id,
    current_status: r.status,
    days_observed: s.daysObserved,
    days_compliant: s.daysCompliant,
    days_non_compliant: s.daysNonCompliant,
    compliant_days_pct: pct(s.daysCompliant, s.daysObserved),
    first_non_compliant_date: s.firstNonCompliant ?? null,
    remediated_date: s.remediated ?? null,
    time_to_remediate_days: s.firstNonCompliant !== undefined && s.remediated !== undefined ? daysBetween(s.firstNonCompliant, s.remediated) : null,
    missing_count: r.missing_count,
    failed_count: r.failed_count,
    critical_non_compliant_count: r.critical_non_compliant_count,
    security_non_compliant_count: r.security_non_compliant_count,
    other_non_compliant_count: r.other_non_compliant_count,
    installed_pending_reboot_count: r.installed_pending_reboot_count,
    installed_rejected_count: r.installed_rejected_count,
    pending_reboot: r.installed_pending_reboot_count > 0,
    unmanaged: r.unmanaged,
    stale: r.stale,
    ping_status: r.ping_status,
    last_ping_at: r.last_ping_at,
    last_operation: r.last_operation,
    last_operation_at: r.last_operation_at,
    last_seen_date: days[s.lastDayIndex] ?? '',
  };
}
