import { describe, expect, it } from 'vitest';
import { AppError, internal, silentLogger, ValidationError } from '../../core/index.js';
import { createSqsBatchHandler, type SqsRecord } from './sqs-batch.js';

const records = (...ids: string[]): SqsRecord[] => ids.map((id) => ({ messageId: id, body: `{"n":"${id}"}` }));

describe('createSqsBatchHandler', () => {
  it('when every record succeeds, then no item is reported as failed', async () => {
    // Prepare
    const handler = createSqsBatchHandler({ logger: silentLogger(), handleBatch: async () => new Map() });
    // Act
    const response = await handler({ Records: records('a', 'b') });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
  });

  it.each([
    ['a retryable AppError', new AppError('UNAVAILABLE', 'down', { spec: internal(503, 'now') })],
    ['a plain Error', new Error('boom')],
    ['a thrown string', 'boom'],
  ])('when a record fails with %s, then only that record returns to the queue', async (_name, failure) => {
    // Prepare
    const handler = createSqsBatchHandler({
      logger: silentLogger(),
      handleBatch: async () => new Map([['b', failure]]),
    });
    // Act
    const response = await handler({ Records: records('a', 'b', 'c') });
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
  });

  it('when a record fails permanently and a dead-letter sink exists, then it is dead-lettered and deleted', async () => {
    // Prepare
    const dead: { id: string; code: string }[] = [];
    const handler = createSqsBatchHandler({
      logger: silentLogger(),
      handleBatch: async () => new Map([['a', new ValidationError('INVALID_EVENT', 'not an event')]]),
      deadLetter: async (record, error) => {
        dead.push({ id: record.messageId, code: error.code });
      },
    });
    // Act
    const response = await handler({ Records: records('a', 'b') });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(dead).toEqual([{ id: 'a', code: 'INVALID_EVENT' }]);
  });

  it('when a record fails permanently without a sink, then it returns to the queue (towards the DLQ)', async () => {
    // Prepare
    const handler = createSqsBatchHandler({
      logger: silentLogger(),
      handleBatch: async () => new Map([['a', new ValidationError('INVALID_EVENT', 'not an event')]]),
    });
    // Act
    const response = await handler({ Records: records('a', 'b') });
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });

  it('when the dead-letter sink fails, then the record returns to the queue', async () => {
    // Prepare
    const handler = createSqsBatchHandler({
      logger: silentLogger(),
      handleBatch: async () => new Map([['a', new ValidationError('INVALID_EVENT', 'bad')]]),
      deadLetter: async () => {
        throw new Error('store down');
      },
    });
    // Act
    const response = await handler({ Records: records('a') });
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });

  it('when the batch as a whole rejects, then every record returns to the queue', async () => {
    // Prepare
    const handler = createSqsBatchHandler({
      logger: silentLogger(),
      handleBatch: async () => {
        throw new ValidationError('VALIDATION_FAILED', 'config');
      },
    });
    // Act
    const response = await handler({ Records: records('a', 'b') });
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });
});
