// The Photos screen's two sections, All photos and Albums, as links under each view's heading.
// They change only the query string (`/photos`, `/photos?view=albums`), so uploads under way and
// the library already loaded carry on while the user switches.
import { Link } from '../router.ts';
import { ALBUMS_PAGE } from './photo-model.ts';

export function PhotosNav({ current }: { current: 'library' | 'albums' }) {
  return (
    <nav className="photos-nav" aria-label="Photos sections">
      <Link to="/photos" current={current === 'library'}>
        All photos
      </Link>
      <Link to={ALBUMS_PAGE} current={current === 'albums'}>
        Albums
      </Link>
    </nav>
  );
}
