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

export interface AppCatalogVariable {
  readonly sysId: string;
  readonly name: string;
  /** `item_option_new.type` (e.g. 6 single line text, 8 reference, 7 checkbox, 5 select box, 21 list collector). */
  readonly type: string;
  readonly mandatory: boolean;
  readonly referenceTable?: string;
  readonly referenceQualifier?: string;
  readonly default?: string;
}

export interface AppCatalogItem {
  readonly sysId: string;
  readonly name: string;
  /** Category titles. */
  readonly categories: readonly string[];
  readonly variables: readonly AppCatalogVariable[];
  /** Names of the catalog client scripts on the item, with their type. */
  readonly clientScripts: readonly { readonly name: string; readonly type: string }[];
}

/** A business rule, scheduled script, Script Action or UI action whose script calls one of the app's module functions. */
export interface AppModuleScript {
  readonly name: string;
  /** The module function the script calls, and its module path. */
  readonly fn: string;
  readonly module: string;
}

export interface AppBusinessRule extends AppModuleScript {
  readonly table: string;
  /** `before`, `after`, `async_always`, … */
  readonly when: string;
  readonly actions: readonly ('insert' | 'update' | 'delete' | 'query')[];
  readonly filterCondition: string;
  readonly active: boolean;
}

export interface AppAlias {
  /** `sys_alias.id`, what scripts name (`x_pbridge.patchbridge`). */
  readonly id: string;
  readonly type: string;
  readonly connectionType: string;
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
  readonly catalogItems: readonly AppCatalogItem[];
  readonly businessRules: readonly AppBusinessRule[];
  readonly scriptActions: readonly (AppModuleScript & { readonly event: string })[];
  readonly scheduledScripts: readonly AppModuleScript[];
  readonly uiActions: readonly (AppModuleScript & { readonly table: string })[];
  /** Script include names. */
  readonly scriptIncludes: readonly string[];
  readonly aliases: readonly AppAlias[];
  /** Registered event names (`sysevent_register`). */
  readonly events: readonly string[];
  /** Cross-scope privileges the app holds (allowed), e.g. `{ target: 'sc_req_item', operation: 'write' }`. */
  readonly privileges: readonly { readonly target: string; readonly operation: string }[];
}
