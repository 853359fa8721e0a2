export {
  completeValidation,
  createSpecValidator,
  markValidated,
  operationOf,
  validated,
  type OperationId,
  type SpecOperation,
  type SpecValidator,
  type Validated,
  type ValidatedRequest,
} from './spec-validator.js';
export { listRoutes, type RouteEntry } from './route-table.js';
