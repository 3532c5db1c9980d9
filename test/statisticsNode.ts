import { adminQuery } from './helpers.ts';

/** One alert of a statistics test, as the rollup sees it. */
export interface StatAlert {
  occurredAt: string;
  place: 'HANI_I_ELEZIT_BLACE' | 'GLLOBOCICE_JAZHINCE' | 'STANCIQ_BELANOVCE' | 'SECTOR_KARADAK';
  kind?: 'SEIZURE' | 'STOLEN_FIREARM' | 'EXPLOSIVES';
  firearmType?: 'PISTOL' | 'RIFLE' | 'ASSAULT_RIFLE' | null;
  firearms?: number;
  threat?: number;
  converted?: boolean;
  handlingCode?: 'H0' | 'H2';
  /** As the officer typed it (any spelling); none by default. */
  municipality?: string | null;
  /** A sharing rule for MK at this tier. */
  mkTier?: 'NONE' | 'HIT';
}

/**
 * Writes alerts straight into an agency's database, as the owner, in one
 * statement per table: what the statistics count does not depend on how an
 * alert came in (the rollup's triggers fire for any writer).
 */
export async function insertStatAlerts(database: string, unit: string, alerts: readonly StatAlert[]): Promise<string[]> {
  const rows = alerts.map((alert, index) => ({ index, ...alert }));
  const ids = await adminQuery<{ id: string }>(
    database,
    `insert into node.alert (id, reference, kind, title, occurred_at, location_kind, border_crossing, latitude, longitude,
                             risk_threat, risk_vulnerability, risk_impact, risk_level, unit_code, created_by, updated_at, handling_code, municipality)
     select gen_random_uuid(), 'STAT-' || substr(md5(random()::text), 1, 20), coalesce(r->>'kind', 'SEIZURE')::node.alert_kind, 'Statistics test',
            (r->>'occurredAt')::timestamptz,
            case when r->>'place' like 'SECTOR_%' then 'GREEN_BORDER' else 'BORDER_CROSSING_POINT' end::node.location_kind,
            case when r->>'place' like 'SECTOR_%' then null else (r->>'place')::node.border_crossing_point end,
            case when r->>'place' like 'SECTOR_%' then 42.24 end, case when r->>'place' like 'SECTOR_%' then 21.6 end,
            coalesce((r->>'threat')::int, 3), 3, 3, 'MEDIUM', $2, 'stat.test', now(), coalesce(r->>'handlingCode', 'H0')::node.handling_code, r->>'municipality'
       from jsonb_array_elements($1::jsonb) with ordinality as t(r, n) order by n
     returning id`,
    [JSON.stringify(rows), unit],
  );
  const withIds = rows.map((row, index) => ({ ...row, id: ids[index]!.id }));
  await adminQuery(
    database,
    `insert into node.firearm (id, alert_id, position, make, model, type, calibre, converted_gas_alarm)
     select gen_random_uuid(), (r->>'id')::uuid, g, 'Zastava', 'M70', (r->>'firearmType')::node.firearm_type, '7.62', coalesce((r->>'converted')::boolean, false)
       from jsonb_array_elements($1::jsonb) r cross join generate_series(1, coalesce((r->>'firearms')::int, 1)) g
      where r->>'firearmType' is not null`,
    [JSON.stringify(withIds.filter((row) => row.firearmType !== null).map((row) => ({ ...row, firearmType: row.firearmType ?? 'PISTOL' })))],
  );
  const ruled = withIds.filter((row) => row.mkTier);
  if (ruled.length) {
    await adminQuery(
      database,
      `insert into node.sharing_rule (alert_id, partner_agency, tier, purposes, expires_at, set_by)
       select (r->>'id')::uuid, 'MK', (r->>'mkTier')::node.tier, array['RISK_ANALYSIS'], now() + interval '1 year', 'stat.test'
         from jsonb_array_elements($1::jsonb) r`,
      [JSON.stringify(ruled)],
    );
  }
  return withIds.map((row) => row.id);
}

/** `count` alerts alike. */
export const alike = (count: number, alert: StatAlert): StatAlert[] => Array.from({ length: count }, () => ({ ...alert }));
