// The "Usage" dialog of one key: its requests over the last 30 days as a chart, with totals, and
// the key's own activity below (what was done to it, by whom).
import { activityTable } from './activity-view.js';
import { API, keyPath, type ManagedKey, request } from './page-api.js';
import { element, failed, openDialog } from './page-elements.js';
import { type UsageDay, usageChart, usageTotals } from './usage-chart.js';

/** Days the chart covers. */
export const USAGE_DAYS = 30;

const count = new Intl.NumberFormat();

/** Opens the dialog on a key and loads its usage and activity. */
export async function openUsage(key: ManagedKey, from: HTMLElement): Promise<void> {
  element('usage-name').textContent = key.name;
  element('usage-prefix').textContent = key.prefix;
  element('usage-error').textContent = '';
  const chart = element('usage-chart');
  chart.replaceChildren();
  element('usage-totals').textContent = 'Loading…';
  element('usage-activity').replaceChildren();
  openDialog(element<HTMLDialogElement>('usage-dialog'), from);
  try {
    const [usage, activity] = await Promise.all([
      request<{ days: UsageDay[] }>('GET', `${keyPath(key.id, 'usage')}?days=${USAGE_DAYS}`),
      request<{ events: Parameters<typeof activityTable>[0] }>(
        'GET',
        `${API}/audit?keyId=${encodeURIComponent(key.id)}&limit=20`,
      ),
    ]);
    chart.replaceChildren(usageChart(usage.days));
    const totals = usageTotals(usage.days);
    const busiest = Math.max(0, ...usage.days.map((day) => day.accepted + day.refused));
    element('usage-totals').textContent =
      `${count.format(totals.accepted)} accepted, ${count.format(totals.refused)} refused in the last ${usage.days.length} days (UTC); the busiest day had ${count.format(busiest)}.`;
    element('usage-activity').replaceChildren(activityTable(activity.events, false));
  } catch (error) {
    element('usage-totals').textContent = '';
    failed(error, element('usage-error'));
  }
}
