import { useMemo } from 'react';
import { selectServices, useLab } from '../../store';

export function ServiceList() {
  const services = useLab(selectServices);
  const list = useMemo(() => [...services.values()], [services]);
  if (list.length === 0) return <p className="muted services-empty">No push service running</p>;
  return (
    <ul className="services" aria-label="Push services">
      {list.map((service) => (
        <li
          key={service.id}
          className="service"
          data-testid="service"
          data-running={service.running}
        >
          <span className={`badge ${service.running ? 'badge-running' : 'badge-stopped'}`}>
            {service.running ? 'running' : 'stopped'}
          </span>
          <code className="service-url">{service.url}</code>
          <span className="service-profile">{service.profile}</span>
        </li>
      ))}
    </ul>
  );
}
