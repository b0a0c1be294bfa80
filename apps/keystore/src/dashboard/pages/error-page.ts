import { html, type SafeHtml } from '../html.ts';
import { layout, type Viewer } from '../layout.ts';

export function errorPage(options: { title: string; message: string; viewer?: Viewer; back?: string }): SafeHtml {
  const body = html`<div class="page narrow">
  <section class="card">
    <h1>${options.title}</h1>
    <p>${options.message}</p>
    <p><a class="btn btn-secondary" href="${options.back ?? '/keys'}">Go back</a></p>
  </section>
</div>`;
  return layout({ title: options.title, viewer: options.viewer, body });
}
