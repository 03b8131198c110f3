import { viewDigit } from '../../../../shared/menu';
import { selectActions, useLab } from '../../store';
import { ExportToolbar } from '../exports/ExportToolbar';
import { SettingsControls } from '../settings/SettingsControls';
import { VIEWS } from '../views';

/** One button per view (the current one is pressed), then the export and display tools. */
export function NavBar() {
  const view = useLab((s) => s.view);
  const { showView } = useLab(selectActions);
  return (
    <nav className="nav-bar" aria-label="Views">
      {VIEWS.map((v, i) => (
        <button
          key={v.id}
          type="button"
          className={v.id === view ? 'nav-item active' : 'nav-item'}
          aria-pressed={v.id === view}
          aria-keyshortcuts={viewDigit(i) ?? undefined}
          title={viewDigit(i) === null ? undefined : `${v.label} (key ${viewDigit(i)})`}
          data-testid={`nav-${v.id}`}
          onClick={() => showView(v.id)}
        >
          {v.label}
        </button>
      ))}
      <div className="nav-tools">
        <ExportToolbar />
        <SettingsControls />
      </div>
    </nav>
  );
}
