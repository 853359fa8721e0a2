/**
 * The shape of what the scoped app (`scoped-app/`) defines, as read from its
 * built `dist/app` XML by `scripts/app-contract.ts`. The simulator, the client's
 * contract tests and the build check all read the one generated instance,
 * `contract.gen.ts`; nothing here is written by hand.
 */

export interface AppColumn {
  /** ServiceNow internal type: `string`, `reference`, `choice`, `integer`, `boolean`, `glide_date_time`, `url`… */
  readonly type: string;
  readonly maxLength: number;
  readonly reference?: string;
  readonly default?: string;
  readonly mandatory: boolean;
  /** Choice values, in sequence order. */
  readonly choices?: readonly string[];
}

export interface AppTable {
  readonly name: string;
  readonly label: string;
  readonly extends?: string;
  /** Display column. */
  readonly display?: string;
  /** Auto-number (`sys_number`). */
  readonly number?: { readonly prefix: string; readonly start: number; readonly digits: number };
  /** Reachable through the Table / Import Set APIs. */
  readonly webServiceAccess: boolean;
  readonly columns: Readonly<Record<string, AppColumn>>;
}

export interface AppFieldMap {
  readonly target: string;
  /** Staging column; '' when the value comes only from a script. */
  readonly source: string;
  readonly coalesce: boolean;
  readonly coalesceCaseSensitive: boolean;
  readonly coalesceEmptyFields: boolean;
  /** Name of the `src/server/failure-import.ts` function that computes the value, when scripted. */
  readonly script?: string;
}

export interface AppTransformMap {
  readonly name: string;
  readonly source: string;
  readonly target: string;
  readonly active: boolean;
  readonly copyEmptyFields: boolean;
  readonly createOnEmptyCoalesce: boolean;
  readonly runBusinessRules: boolean;
  readonly fields: readonly AppFieldMap[];
  /** Module function the row script calls as `fn(source, target, isUpdate)`. */
  readonly rowScript?: string;
  /** Module path the row script `require`s. */
  readonly rowScriptModule?: string;
}

export interface AppAcl {
  /** Table the ACL secures. */
  readonly table: string;
  /** Field, when the ACL is field-level. */
  readonly field?: string;
  readonly operation: string;
  readonly roles: readonly string[];
  readonly adminOverrides: boolean;
  readonly condition?: string;
}

export interface AppRole {
  readonly name: string;
  readonly contains: readonly string[];
}

export interface AppProperty {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

export interface AppContract {
  readonly scope: string;
  readonly tables: Readonly<Record<string, AppTable>>;
  readonly transformMaps: readonly AppTransformMap[];
  readonly roles: readonly AppRole[];
  readonly acls: readonly AppAcl[];
  readonly properties: readonly AppProperty[];
  /** `sys_module` paths (server modules the app ships). */
  readonly modules: readonly string[];
  /** ATF test names. */
  readonly tests: readonly string[];
}
