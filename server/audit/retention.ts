/**
 * Retention of the audit trail (TESSERA_AUDIT_RETENTION_DAYS): records older than the retention
 * period are deleted by a job the hub runs when it starts — so a lowered setting, or a hub that was
 * down for a while, takes effect at once — and then every hour.
 */
import type { Logger } from 'pino';
import type { Job } from '../jobs/scheduler';
import type { AuditStore } from '../store/contract';
import { nowMicros, type Micros } from '../time';

const DAY_MICROS = 86_400_000_000;

export function auditRetentionJob(
  audit: Pick<AuditStore, 'purgeAudit'>,
  retentionDays: number,
  logger: Logger,
  now: () => Micros = nowMicros,
): Job {
  return {
    name: 'purge-audit',
    schedule: '23 * * * *',
    run: async () => {
      const n = await audit.purgeAudit({ before: now() - retentionDays * DAY_MICROS });
      if (n > 0) logger.info({ purged: n, retentionDays }, 'old audit records purged');
    },
  };
}
