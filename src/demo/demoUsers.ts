import type { OfficerClaims } from '../identity/mintOfficerToken.ts';

/** The people `npm start` prints tokens for: one of each kind of user of the hub. */
export const demoUsers = {
  'xk-border-officer': {
    sub: 'xk.bp.arben.berisha',
    agency: 'XK',
    unit: 'XK-BP-HANI',
    roles: ['officer'],
    name: 'Arben Berisha (Border Police, BCP Hani i Elezit)',
  },
  'xk-duty-officer': {
    sub: 'xk.duty.shpresa.hoxha',
    agency: 'XK',
    unit: 'XK-DUTY',
    roles: ['duty_officer', 'officer'],
    name: 'Shpresa Hoxha (International Police Cooperation duty desk)',
  },
  'xk-liaison': {
    sub: 'xk.liaison.drita.krasniqi',
    agency: 'XK',
    unit: 'XK-LIAISON',
    roles: ['liaison'],
    name: 'Drita Krasniqi (liaison officer)',
  },
  'mk-border-officer': {
    sub: 'mk.bp.goran.stojanovski',
    agency: 'MK',
    unit: 'MK-BP-BLACE',
    roles: ['officer'],
    name: 'Goran Stojanovski (Border Police, BCP Blace)',
  },
  'mk-duty-officer': {
    sub: 'mk.duty.elena.petrovska',
    agency: 'MK',
    unit: 'MK-DUTY',
    roles: ['duty_officer', 'officer'],
    name: 'Elena Petrovska (International Police Cooperation duty desk)',
  },
  'mk-liaison': {
    sub: 'mk.liaison.nikola.trajkovski',
    agency: 'MK',
    unit: 'MK-LIAISON',
    roles: ['liaison'],
    name: 'Nikola Trajkovski (liaison officer)',
  },
  'xk-analyst': {
    sub: 'xk.ffp.blerta.morina',
    agency: 'XK',
    unit: 'XK-FFP',
    roles: ['analyst'],
    name: 'Blerta Morina (Firearms Focal Point, risk analysis)',
  },
  'mk-analyst': {
    sub: 'mk.ffp.marija.ilievska',
    agency: 'MK',
    unit: 'MK-FFP',
    roles: ['analyst'],
    name: 'Marija Ilievska (Firearms Focal Point, risk analysis)',
  },
  'xk-auditor': {
    sub: 'xk.dpo.valon.gashi',
    agency: 'XK',
    unit: 'XK-DPO',
    roles: ['auditor'],
    name: 'Valon Gashi (Data Protection Officer)',
  },
} satisfies Record<string, OfficerClaims>;

export type DemoUserName = keyof typeof demoUsers;
