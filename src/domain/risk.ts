import { RiskLevel } from './enums.ts';

/**
 * CIRAM-style risk: threat, vulnerability and impact are each scored from 1
 * to 5 by the analyst; the level follows from their product so that two
 * agencies scoring the same facts reach the same level.
 */
export function riskLevel(threat: number, vulnerability: number, impact: number): RiskLevel {
  const score = threat * vulnerability * impact;
  if (score >= 64) return RiskLevel.CRITICAL;
  if (score >= 27) return RiskLevel.HIGH;
  if (score >= 8) return RiskLevel.MEDIUM;
  return RiskLevel.LOW;
}
