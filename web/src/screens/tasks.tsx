// The Tasks screen: which of its views shows is the path, so the back button, reloads and shared
// links all work without a router — `/tasks` (the list, its filters in the query string),
// `/tasks/board`, `/tasks/analytics`, `/tasks/new` and `/tasks/<id>` (the editor). The three
// overviews share a heading and a sub-navigation; the editor has its own heading and a way back
// to the overview the user came from. Analytics (charts) load only when opened.
import { lazy, Suspense } from 'react';
import { Link, useLocation } from '../router.ts';
import { TaskBoard } from './task-board.tsx';
import { TaskEditor } from './task-editor.tsx';
import { TaskList } from './task-list.tsx';
import './tasks.css';

const TaskAnalytics = lazy(() => import('./task-analytics.tsx').then((m) => ({ default: m.TaskAnalytics })));

type View = 'list' | 'board' | 'analytics';

const VIEWS: { view: View; path: string; label: string }[] = [
  { view: 'list', path: '/tasks', label: 'List' },
  { view: 'board', path: '/tasks/board', label: 'Board' },
  { view: 'analytics', path: '/tasks/analytics', label: 'Analytics' },
];

export function Tasks() {
  const { pathname } = useLocation();
  const rest = pathname.replace(/^\/tasks\/?/, '').replace(/\/$/, '');
  if (rest === 'new') return <TaskEditor key="new" />;
  const view = rest === '' ? 'list' : rest === 'board' ? 'board' : rest === 'analytics' ? 'analytics' : undefined;
  if (!view) return <TaskEditor key={rest} id={decodeURIComponent(rest)} />;
  return (
    <main className={`tasks tasks-${view}`}>
      <div className="tasks-head">
        <h1>Tasks</h1>
        <Link to="/tasks/new" className="button-link">
          New task
        </Link>
      </div>
      <nav className="tasks-nav" aria-label="Task views">
        {VIEWS.map((item) => (
          <Link key={item.view} to={item.path} current={item.view === view}>
            {item.label}
          </Link>
        ))}
      </nav>
      {view === 'list' && <TaskList />}
      {view === 'board' && <TaskBoard />}
      {view === 'analytics' && (
        <Suspense fallback={<p className="empty">Loading…</p>}>
          <TaskAnalytics />
        </Suspense>
      )}
    </main>
  );
}
