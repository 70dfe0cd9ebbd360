// A key's requests over its last days as a small inline SVG: one bar per UTC day, accepted below
// and refused stacked on top, each day's counts in its tooltip. No library, no inline style: the
// page's CSP allows neither, and the chart is a few dozen rectangles.

/** One day of a key's usage, as `GET /keys/:id/usage` answers it. */
export interface UsageDay {
  date: string;
  accepted: number;
  refused: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 80;
const GAP = 1;

function svgElement<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const made = document.createElementNS(SVG, name);
  for (const [attribute, value] of Object.entries(attributes)) {
    made.setAttribute(attribute, String(value));
  }
  return made;
}

const count = new Intl.NumberFormat();

/** The totals over all the days. */
export function usageTotals(days: readonly UsageDay[]): { accepted: number; refused: number } {
  return days.reduce(
    (total, day) => ({
      accepted: total.accepted + day.accepted,
      refused: total.refused + day.refused,
    }),
    { accepted: 0, refused: 0 },
  );
}

/**
 * The chart, scaled to the busiest day. It scales with its container (a `viewBox`), and says
 * what it shows to screen readers in its label.
 */
export function usageChart(days: readonly UsageDay[]): SVGSVGElement {
  const totals = usageTotals(days);
  const busiest = Math.max(1, ...days.map((day) => day.accepted + day.refused));
  const chart = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'usage-chart',
    role: 'img',
    'aria-label': `Requests over the last ${days.length} days: ${count.format(totals.accepted)} accepted, ${count.format(totals.refused)} refused.`,
  });
  chart.append(
    svgElement('line', { x1: 0, y1: HEIGHT - 0.5, x2: WIDTH, y2: HEIGHT - 0.5, class: 'axis' }),
  );
  const slot = WIDTH / Math.max(1, days.length);
  days.forEach((day, index) => {
    const group = svgElement('g', { class: 'day', 'data-date': day.date });
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${day.date}: ${count.format(day.accepted)} accepted, ${count.format(day.refused)} refused`;
    group.append(title);
    const x = index * slot + GAP / 2;
    const width = Math.max(1, slot - GAP);
    const acceptedHeight = (day.accepted / busiest) * (HEIGHT - 1);
    const refusedHeight = (day.refused / busiest) * (HEIGHT - 1);
    // An invisible full-height bar, so that an empty day has a tooltip too.
    group.append(svgElement('rect', { x, y: 0, width, height: HEIGHT, class: 'hover' }));
    if (day.accepted > 0) {
      group.append(
        svgElement('rect', {
          x,
          y: HEIGHT - 1 - acceptedHeight,
          width,
          height: acceptedHeight,
          class: 'accepted',
        }),
      );
    }
    if (day.refused > 0) {
      group.append(
        svgElement('rect', {
          x,
          y: HEIGHT - 1 - acceptedHeight - refusedHeight,
          width,
          height: refusedHeight,
          class: 'refused',
        }),
      );
    }
    chart.append(group);
  });
  return chart;
}
