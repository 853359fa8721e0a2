import { z } from 'zod';
import { ID_PATTERNS, isDay, isId, UNMANAGED_GROUP } from '../../domain/index.js';

export const REPORT_FORMATS = ['csv', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** File name and content type of each format. Names are what a download saves as. */
export const REPORT_FILES: Readonly<Record<ReportFormat, { readonly name: string; readonly contentType: string }>> = {
  csv: { name: 'compliance-report.csv', contentType: 'text/csv; charset=utf-8' },
  html: { name: 'compliance-report.html', contentType: 'text/html; charset=utf-8' },
  json: { name: 'compliance-summary.json', contentType: 'application/json' },
};

export function formatOfFile(name: string): ReportFormat | undefined {
  return REPORT_FORMATS.find((f) => REPORT_FILES[f].name === name);
}

// SSM's own pattern for a patch group name, plus our label for "none".
const PATCH_GROUP = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/**
 * A report request as callers send it (API body, CLI flags, schedule). The API
 * validates its body with this schema, so the contract and the flow agree.
 */
export const reportRequestSchema = z
  .object({
    scope: z
      .object({
        accounts: z.array(z.string().regex(ID_PATTERNS.accountId, 'a 12-digit account id')).max(100).optional(),
        regions: z.array(z.string().regex(ID_PATTERNS.region, 'an AWS region such as eu-west-1')).max(50).optional(),
        patchGroups: z
          .array(z.string().refine((g) => g === UNMANAGED_GROUP || PATCH_GROUP.test(g), 'a patch group name or "(unmanaged)"'))
          .max(200)
          .optional(),
      })
      .strict()
      .optional(),
    period: z
      .object({
        days: z.int().min(1).max(366).optional(),
        end: z.string().refine(isDay, 'a date YYYY-MM-DD').optional(),
      })
      .strict()
      .optional(),
    formats: z.array(z.enum(REPORT_FORMATS)).min(1).max(3).optional(),
    requestedItem: z
      .string()
      .refine((v) => isId('requestedItemNumber', v) || isId('sysId', v), 'a requested item number (RITM…) or sys_id')
      .optional(),
  })
  .strict();

export type ReportRequestInput = z.infer<typeof reportRequestSchema>;

export type ReportTrigger = 'api' | 'schedule' | 'cli';

/** The request as stored on the job: every default resolved, so a re-run covers the same period. */
export interface NormalisedReportRequest {
  readonly scope: { readonly accounts?: string[]; readonly regions?: string[]; readonly patchGroups?: string[] };
  readonly period: { readonly days: number; readonly end: string };
  readonly formats: ReportFormat[];
  readonly requestedItem?: string;
  readonly trigger: ReportTrigger;
}

// Stored as JSON, which has no `undefined`: an optional field is present with a value or absent.
const storedSchema = z.object({
  scope: z.object({
    accounts: z.array(z.string()).exactOptional(),
    regions: z.array(z.string()).exactOptional(),
    patchGroups: z.array(z.string()).exactOptional(),
  }),
  period: z.object({ days: z.int().min(1), end: z.string().refine(isDay) }),
  formats: z.array(z.enum(REPORT_FORMATS)).min(1),
  requestedItem: z.string().exactOptional(),
  trigger: z.enum(['api', 'schedule', 'cli']),
});

/** Reads a job's stored request back (it is `unknown` in the store). */
export function parseStoredRequest(value: unknown): NormalisedReportRequest {
  return storedSchema.parse(value);
}
