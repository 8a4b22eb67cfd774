import { createLogger } from './logger.factory';

describe('createLogger', () => {
  const capture = (level: string) => {
    const records: Record<string, unknown>[] = [];
    const logger = createLogger('api', level, { console: false, sink: (record) => records.push(record) });
    return { logger, records };
  };

  it("logs Nest's start-up chatter at debug, everything else at its own level", () => {
    const { logger, records } = capture('info');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.log('role api listening', 'Bootstrap');
    logger.warn('careful', 'Bootstrap');
    expect(records.map((record) => [record.level, record.message])).toEqual([
      ['info', 'role api listening'],
      ['warn', 'careful'],
    ]);
  });

  it('shows the chatter when the level is debug', () => {
    const { logger, records } = capture('debug');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(records).toEqual([
      expect.objectContaining({
        level: 'debug',
        message: 'AppModule dependencies initialized',
        context: 'InstanceLoader',
      }),
    ]);
  });
});
