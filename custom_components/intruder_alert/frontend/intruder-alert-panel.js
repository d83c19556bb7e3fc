/* intruder-alert-panel sources sha256:7cabb4e73b7d5bcccca2347ff79c621679867139090528d777bcec2dbd78694d */
var V=globalThis,J=V.ShadowRoot&&(V.ShadyCSS===void 0||V.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,ee=Symbol(),ge=new WeakMap,C=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==ee)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(J&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=ge.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&ge.set(e,t))}return t}toString(){return this.cssText}},fe=r=>new C(typeof r=="string"?r:r+"",void 0,ee),g=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((s,i,n)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[n+1],r[0]);return new C(e,r,ee)},ve=(r,t)=>{if(J)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=V.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,r.appendChild(s)}},te=J?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return fe(e)})(r):r;var{is:We,defineProperty:je,getOwnPropertyDescriptor:Be,getOwnPropertyNames:qe,getOwnPropertySymbols:Ke,getPrototypeOf:Ze}=Object,G=globalThis,$e=G.trustedTypes,Ve=$e?$e.emptyScript:"",Je=G.reactiveElementPolyfillSupport,H=(r,t)=>r,se={toAttribute(r,t){switch(t){case Boolean:r=r?Ve:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},ye=(r,t)=>!We(r,t),be={attribute:!0,type:String,converter:se,reflect:!1,useDefault:!1,hasChanged:ye};Symbol.metadata??=Symbol("metadata"),G.litPropertyMetadata??=new WeakMap;var w=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=be){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&je(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:n}=Be(this.prototype,t)??{get(){return this[e]},set(o){this[e]=o}};return{get:i,set(o){let c=i?.call(this);n?.call(this,o),this.requestUpdate(t,c,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??be}static _$Ei(){if(this.hasOwnProperty(H("elementProperties")))return;let t=Ze(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(H("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(H("properties"))){let e=this.properties,s=[...qe(e),...Ke(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(te(i))}else t!==void 0&&e.push(te(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ve(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:se).toAttribute(e,s.type);this._$Em=t,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),o=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:se;this._$Em=i;let c=o.fromAttribute(e,n.type);this[i]=c??this._$Ej?.get(i)??c,this._$Em=null}}requestUpdate(t,e,s,i=!1,n){if(t!==void 0){let o=this.constructor;if(i===!1&&(n=this[t]),s??=o.getPropertyOptions(t),!((s.hasChanged??ye)(n,e)||s.useDefault&&s.reflect&&n===this._$Ej?.get(t)&&!this.hasAttribute(o._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:n},o){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,o??e??this[t]),n!==!0||o!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:o}=n,c=this[i];o!==!0||this._$AL.has(i)||c===void 0||this.C(i,void 0,n,c)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};w.elementStyles=[],w.shadowRootOptions={mode:"open"},w[H("elementProperties")]=new Map,w[H("finalized")]=new Map,Je?.({ReactiveElement:w}),(G.reactiveElementVersions??=[]).push("2.1.2");var de=globalThis,we=r=>r,Y=de.trustedTypes,xe=Y?Y.createPolicy("lit-html",{createHTML:r=>r}):void 0,Re="$lit$",k=`lit$${Math.random().toFixed(9).slice(2)}$`,Pe="?"+k,Ge=`<${Pe}>`,z=document,M=()=>z.createComment(""),L=r=>r===null||typeof r!="object"&&typeof r!="function",ce=Array.isArray,Ye=r=>ce(r)||typeof r?.[Symbol.iterator]=="function",ie=`[ 	
\f\r]`,I=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Ae=/-->/g,ke=/>/g,E=RegExp(`>|${ie}(?:([^\\s"'>=/]+)(${ie}*=${ie}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Ee=/'/g,Se=/"/g,Te=/^(?:script|style|textarea|title)$/i,he=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),a=he(1),lt=he(2),dt=he(3),R=Symbol.for("lit-noChange"),l=Symbol.for("lit-nothing"),ze=new WeakMap,S=z.createTreeWalker(z,129);function Ce(r,t){if(!ce(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return xe!==void 0?xe.createHTML(t):t}var Qe=(r,t)=>{let e=r.length-1,s=[],i,n=t===2?"<svg>":t===3?"<math>":"",o=I;for(let c=0;c<e;c++){let d=r[c],p,f,h=-1,y=0;for(;y<d.length&&(o.lastIndex=y,f=o.exec(d),f!==null);)y=o.lastIndex,o===I?f[1]==="!--"?o=Ae:f[1]!==void 0?o=ke:f[2]!==void 0?(Te.test(f[2])&&(i=RegExp("</"+f[2],"g")),o=E):f[3]!==void 0&&(o=E):o===E?f[0]===">"?(o=i??I,h=-1):f[1]===void 0?h=-2:(h=o.lastIndex-f[2].length,p=f[1],o=f[3]===void 0?E:f[3]==='"'?Se:Ee):o===Se||o===Ee?o=E:o===Ae||o===ke?o=I:(o=E,i=void 0);let A=o===E&&r[c+1].startsWith("/>")?" ":"";n+=o===I?d+Ge:h>=0?(s.push(p),d.slice(0,h)+Re+d.slice(h)+k+A):d+k+(h===-2?c:A)}return[Ce(r,n+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},U=class r{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let n=0,o=0,c=t.length-1,d=this.parts,[p,f]=Qe(t,e);if(this.el=r.createElement(p,s),S.currentNode=this.el.content,e===2||e===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(i=S.nextNode())!==null&&d.length<c;){if(i.nodeType===1){if(i.hasAttributes())for(let h of i.getAttributeNames())if(h.endsWith(Re)){let y=f[o++],A=i.getAttribute(h).split(k),Z=/([.?@])?(.*)/.exec(y);d.push({type:1,index:n,name:Z[2],strings:A,ctor:Z[1]==="."?ne:Z[1]==="?"?ae:Z[1]==="@"?oe:T}),i.removeAttribute(h)}else h.startsWith(k)&&(d.push({type:6,index:n}),i.removeAttribute(h));if(Te.test(i.tagName)){let h=i.textContent.split(k),y=h.length-1;if(y>0){i.textContent=Y?Y.emptyScript:"";for(let A=0;A<y;A++)i.append(h[A],M()),S.nextNode(),d.push({type:2,index:++n});i.append(h[y],M())}}}else if(i.nodeType===8)if(i.data===Pe)d.push({type:2,index:n});else{let h=-1;for(;(h=i.data.indexOf(k,h+1))!==-1;)d.push({type:7,index:n}),h+=k.length-1}n++}}static createElement(t,e){let s=z.createElement("template");return s.innerHTML=t,s}};function P(r,t,e=r,s){if(t===R)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,n=L(t)?void 0:t._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(r),i._$AT(r,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=P(r,i._$AS(r,t.values),i,s)),t}var re=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??z).importNode(e,!0);S.currentNode=i;let n=S.nextNode(),o=0,c=0,d=s[0];for(;d!==void 0;){if(o===d.index){let p;d.type===2?p=new N(n,n.nextSibling,this,t):d.type===1?p=new d.ctor(n,d.name,d.strings,this,t):d.type===6&&(p=new le(n,this,t)),this._$AV.push(p),d=s[++c]}o!==d?.index&&(n=S.nextNode(),o++)}return S.currentNode=z,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},N=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=l,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=P(this,t,e),L(t)?t===l||t==null||t===""?(this._$AH!==l&&this._$AR(),this._$AH=l):t!==this._$AH&&t!==R&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):Ye(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==l&&L(this._$AH)?this._$AA.nextSibling.data=t:this.T(z.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=U.createElement(Ce(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let n=new re(i,this),o=n.u(this.options);n.p(e),this.T(o),this._$AH=n}}_$AC(t){let e=ze.get(t.strings);return e===void 0&&ze.set(t.strings,e=new U(t)),e}k(t){ce(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let n of t)i===e.length?e.push(s=new r(this.O(M()),this.O(M()),this,this.options)):s=e[i],s._$AI(n),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=we(t).nextSibling;we(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},T=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,n){this.type=1,this._$AH=l,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=l}_$AI(t,e=this,s,i){let n=this.strings,o=!1;if(n===void 0)t=P(this,t,e,0),o=!L(t)||t!==this._$AH&&t!==R,o&&(this._$AH=t);else{let c=t,d,p;for(t=n[0],d=0;d<n.length-1;d++)p=P(this,c[s+d],e,d),p===R&&(p=this._$AH[d]),o||=!L(p)||p!==this._$AH[d],p===l?t=l:t!==l&&(t+=(p??"")+n[d+1]),this._$AH[d]=p}o&&!i&&this.j(t)}j(t){t===l?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},ne=class extends T{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===l?void 0:t}},ae=class extends T{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==l)}},oe=class extends T{constructor(t,e,s,i,n){super(t,e,s,i,n),this.type=5}_$AI(t,e=this){if((t=P(this,t,e,0)??l)===R)return;let s=this._$AH,i=t===l&&s!==l||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,n=t!==l&&(s===l||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},le=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){P(this,t)}};var Xe=de.litHtmlPolyfillSupport;Xe?.(U,N),(de.litHtmlVersions??=[]).push("3.3.3");var He=(r,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let n=e?.renderBefore??null;s._$litPart$=i=new N(t.insertBefore(M(),n),n,void 0,e??{})}return i._$AI(r),i};var ue=globalThis,m=class extends w{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=He(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return R}};m._$litElement$=!0,m.finalized=!0,ue.litElementHydrateSupport?.({LitElement:m});var et=ue.litElementPolyfillSupport;et?.({LitElement:m});(ue.litElementVersions??=[]).push("4.2.2");function v(r){return r&&typeof r=="object"&&"message"in r?String(r.message):String(r)}var $="intruder_alert",_=class{constructor(t){this.hass=t}runs(t,e,s=24){let i={type:`${$}/runs`,limit:s};return e&&(i.cursor=e),t.zone&&(i.zone=t.zone),t.verdicts?.length&&(i.verdicts=t.verdicts),t.person&&(i.person=t.person),t.after&&(i.after=t.after),t.before&&(i.before=t.before),this.hass.callWS(i)}run(t){return this.hass.callWS({type:`${$}/run`,run_id:t})}review(){return this.hass.callWS({type:`${$}/review`,limit:100})}dismiss(t,e){return this.hass.callWS({type:`${$}/dismiss`,run_id:t,face_index:e})}releaseEvidence(t,e){return this.hass.callWS({type:`${$}/release_evidence`,entry_id:t,run_id:e})}people(t){return this.hass.callWS(t?{type:`${$}/people`,entry_id:t}:{type:`${$}/people`})}enrollRunFace(t,e,s,i){return this.hass.callWS({type:`${$}/enroll_run_face`,run_id:t,face_index:e,tier:s,name:i})}enrollVisitor(t,e,s,i){let n={type:`${$}/enroll_visitor`,visitor_id:e,tier:s,name:i};return t&&(n.entry_id=t),this.hass.callWS(n)}enrollUpload(t,e,s,i){let n={type:`${$}/enroll_upload`,tier:e,name:s,image:i};return t&&(n.entry_id=t),this.hass.callWS(n)}move(t,e,s,i){let n={type:`${$}/move`,name:e,from_tier:s,to_tier:i};return t&&(n.entry_id=t),this.hass.callWS(n)}remove(t,e,s){let i={type:`${$}/remove`,tier:e,name:s};return t&&(i.entry_id=t),this.hass.callWS(i)}setPersonRules(t,e,s){let i={type:`${$}/set_person_rules`,tier:"whitelist",name:e,...s};return t&&(i.entry_id=t),this.hass.callWS(i)}zones(){return this.hass.callWS({type:`${$}/zones`})}recogniseNow(t,e){return this.hass.callWS({type:`${$}/recognise_now`,entry_id:t,zone_id:e})}};var pe={title:"Intruder Alert","tab.visitors":"Visitors","tab.review":"Review","tab.people":"People","tab.zones":"Zones","verdict.known":"Known","verdict.unknown":"Unknown","verdict.blacklisted":"Blacklisted","verdict.no_face":"No face","verdict.failed":"Failed","type.person_outside_rules":"Not allowed now","type.loitering":"Loitering","tier.whitelist":"Whitelist","tier.blacklist":"Blacklist","tier.whitelist.hint":"people who belong","tier.blacklist.hint":"known intruders","filter.zone":"Zone","filter.verdict":"Verdict","filter.person":"Person","filter.after":"From","filter.before":"Until","filter.any":"Any","filter.clear":"Clear filters","visitors.empty":'No visitors yet. A run appears here after motion or "Recognise now".',"visitors.more":"Show older visitors","visitors.faces":"{count} faces","visitors.no_snapshot":"No snapshot (the camera failed)","run.title":"{zone}, {time}","run.backend":"Recognised by {backend}","backend.rekognition":"AWS Rekognition","backend.local":"this device (dlib)","backend.local_fallback":"this device (dlib), as the cloud failed","run.reason":"Why: {reason}","run.open_original":"Original photo","run.evidence":"Evidence","run.evidence_kept":"Kept as evidence: not deleted after the retention period until you release it.","run.release":"Release","run.released":"Released: deleted with the other old visits once past the retention period.","run.close":"Close","face.unknown":"Unknown","face.closest":"Closest: {name} ({tier}) {similarity} %","face.no_closest":"Nobody enrolled looks alike","face.enrolled":"Added as {name} ({tier})","face.dismissed":"Ignored","face.this_is":"This is\u2026","face.choose":"Choose a person","face.new_person":"New person","face.name":"Name","face.tier":"List","face.add":"Add","face.ignore":"Ignore","face.saved":"Saved: {name} ({tier})","review.seen":"Seen {count} times","review.empty":"Nothing to review: every unknown face has been named or ignored.","review.intro":"Unknown faces from kept visits. Name them once and the next visit is recognised.","people.empty":"Nobody in this list yet.","people.faces":"{count} faces","people.face":"1 face","people.added":"added {date}","people.move_to":"Move to {tier}","people.remove":"Remove","people.confirm_remove":"Forget {name}? Their faces are deleted from the {tier} everywhere.","people.add_title":"Add a person from a photo","people.photo":"Photo (JPEG or PNG, one face)","people.upload":"Add person","people.account":"Account","people.uploaded":"{name} was added to the {tier}","people.moved":"{name} was moved to the {tier}","people.removed":"{name} was removed","zones.empty":"No Intruder Alert zones yet: add one on the integration's page.","zones.motion":"Motion source","zones.camera":"Camera","zones.ok":"OK","zones.unavailable":"Unavailable","zones.armed":"Armed","zones.disarmed":"Disarmed","zones.no_panel":"Always watching (no alarm panel)","zones.on_motion":"Recognition on motion","zones.on":"On","zones.off":"Off","zones.last_run":"Last run","zones.never":"No run yet","zones.recognise_now":"Recognise now","zones.recognising":"Recognising\u2026","zones.result":"{zone}: {verdict}","rules.button":"When allowed","rules.always":"Always allowed","rules.title":"When {name} is allowed","rules.intro":`Outside these times a visit by {name} alerts like a stranger's ("outside allowed hours"). No rules: always allowed.`,"rules.window":"Time window","rules.add_window":"Add a time window","rules.remove_window":"Remove","rules.from":"From","rules.to":"To","rules.until":"Last allowed day","rules.not_while":"Not while the alarm panel is","rules.save":"Save rules","rules.clear":"Always allow","rules.saved":"Rules of {name} saved","rules.summary.until":"until {date}","rules.summary.not_while":"not while {states}","day.mon":"Mon","day.tue":"Tue","day.wed":"Wed","day.thu":"Thu","day.fri":"Fri","day.sat":"Sat","day.sun":"Sun","state.armed_away":"armed away","state.armed_home":"armed home","state.armed_night":"armed night","state.armed_vacation":"armed vacation","state.armed_custom_bypass":"armed custom bypass","outside.outside_allowed_hours":"outside allowed hours","outside.after_end_date":"after their last allowed day","outside.while_armed_away":"while armed away","outside.while_armed_home":"while armed home","outside.while_armed_night":"while armed night","outside.while_armed_vacation":"while armed vacation","outside.while_armed_custom_bypass":"while armed custom bypass","outside.rules_unreadable":"rules could not be read",loading:"Loading\u2026",retry:"Try again"},Ie={en:pe};function u(r,t,e={}){let s=r?.language??"en";return((Ie[s]??Ie[s.split("-")[0]]??pe)[t]??pe[t]??t).replace(/\{(\w+)\}/g,(o,c)=>c in e?String(e[c]):`{${c}}`)}function x(r,t){return new Date(t).toLocaleString(r?.language??"en",{dateStyle:"medium",timeStyle:"medium"})}function Q(r,t){return new Date(t).toLocaleDateString(r?.language??"en",{dateStyle:"medium"})}var b=g`
  :host {
    display: block;
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, Roboto, sans-serif);
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: 1px solid var(--divider-color, #e0e0e0);
    box-shadow: var(--ha-card-box-shadow, none);
    padding: 16px;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
    gap: 16px;
  }
  h2 {
    font-size: 20px;
    font-weight: 400;
    margin: 8px 0 12px;
  }
  .muted {
    color: var(--secondary-text-color);
    font-size: 14px;
  }
  button {
    font: inherit;
    font-size: 14px;
    font-weight: 500;
    border-radius: 18px;
    padding: 6px 14px;
    border: 1px solid var(--primary-color);
    background: transparent;
    color: var(--primary-color);
    cursor: pointer;
  }
  button.primary {
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  button.danger {
    border-color: var(--error-color, #db4437);
    color: var(--error-color, #db4437);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select {
    font: inherit;
    font-size: 14px;
    padding: 6px 8px;
    border-radius: 6px;
    border: 1px solid var(--divider-color, #ccc);
    background: var(--secondary-background-color, #fafafa);
    color: var(--primary-text-color);
    min-width: 0;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .chip {
    display: inline-block;
    border-radius: 10px;
    padding: 2px 8px;
    font-size: 12px;
    font-weight: 500;
    color: #fff;
    background: var(--secondary-text-color);
  }
  .chip.known {
    background: var(--success-color, #43a047);
  }
  .chip.unknown {
    background: var(--warning-color, #ffa600);
  }
  .chip.blacklisted,
  .chip.failed {
    background: var(--error-color, #db4437);
  }
  .message {
    padding: 8px 12px;
    border-radius: 8px;
    margin-bottom: 12px;
    font-size: 14px;
  }
  .message.error {
    background: rgba(219, 68, 55, 0.12);
    color: var(--error-color, #db4437);
  }
  .message.info {
    background: rgba(3, 169, 244, 0.12);
  }
  .outside {
    color: var(--error-color, #db4437);
    font-size: 13px;
    font-weight: 500;
  }
  .face-row {
    display: flex;
    gap: 12px;
    align-items: center;
  }
  img.face,
  .face.initials {
    width: 72px;
    height: 72px;
    object-fit: cover;
    border-radius: 8px;
    background: var(--secondary-background-color, #eee);
  }
`;var Me=["mon","tue","wed","thu","fri","sat","sun"],tt=["armed_away","armed_home","armed_night","armed_vacation"];function me(r,t,e){let s=u(r,t);return s===void 0||s===t?e:s}function Le(r,t){return me(r,`outside.${t}`,t.replace(/_/g," "))}function Ue(r,t){if(!t)return u(r,"rules.always");let e=t.windows.map(s=>`${s.days.map(i=>u(r,`day.${i}`)).join(", ")} ${s.start.slice(0,5)}\u2013${s.end.slice(0,5)}`);return t.until&&e.push(u(r,"rules.summary.until",{date:Q(r,`${t.until}T12:00:00`)})),t.not_while.length&&e.push(u(r,"rules.summary.not_while",{states:t.not_while.map(s=>me(r,`state.${s}`,s)).join(", ")})),e.join(" \xB7 ")}var O=class extends m{constructor(){super();this.t=(e,s)=>u(this.hass,e,s);this._draft={windows:[],until:null,not_while:[]},this._busy=!1,this._error=""}willUpdate(e){if(e.has("rules")){let s=this.rules;this._draft=s?{windows:s.windows.map(i=>({...i,days:[...i.days]})),until:s.until,not_while:[...s.not_while]}:{windows:[],until:null,not_while:[]}}}_change(e){let s={windows:this._draft.windows.map(i=>({...i,days:[...i.days]})),until:this._draft.until,not_while:[...this._draft.not_while]};e(s),this._draft=s}async _save(e){this._busy=!0,this._error="";try{await new _(this.hass).setPersonRules(this.account,this.name,e),this.dispatchEvent(new CustomEvent("rules-saved",{detail:{name:this.name},bubbles:!0,composed:!0}))}catch(s){this._error=v(s)}finally{this._busy=!1}}render(){let e=this._draft;return a`
      <div class="editor" role="group" aria-label=${this.t("rules.title",{name:this.name})}>
        <div class="muted">${this.t("rules.intro",{name:this.name})}</div>
        ${this._error?a`<div class="message error" role="alert">${this._error}</div>`:l}
        ${e.windows.map((s,i)=>a`
            <fieldset class="window" aria-label="${this.t("rules.window")} ${i+1}">
              <div class="row days">
                ${Me.map(n=>a`<label class="day"
                    ><input
                      type="checkbox"
                      .checked=${s.days.includes(n)}
                      @change=${o=>this._change(c=>{let d=new Set(c.windows[i].days);o.target.checked?d.add(n):d.delete(n),c.windows[i].days=Me.filter(p=>d.has(p))})}
                    />${this.t(`day.${n}`)}</label
                  >`)}
              </div>
              <div class="row">
                <label>${this.t("rules.from")}<input type="time" aria-label=${this.t("rules.from")} .value=${s.start.slice(0,5)} @change=${n=>this._change(o=>o.windows[i].start=n.target.value)} /></label>
                <label>${this.t("rules.to")}<input type="time" aria-label=${this.t("rules.to")} .value=${s.end.slice(0,5)} @change=${n=>this._change(o=>o.windows[i].end=n.target.value)} /></label>
                <button @click=${()=>this._change(n=>n.windows.splice(i,1))}>${this.t("rules.remove_window")}</button>
              </div>
            </fieldset>
          `)}
        <div class="row">
          <button @click=${()=>this._change(s=>s.windows.push({days:["mon","tue","wed","thu","fri"],start:"09:00",end:"17:00"}))}>${this.t("rules.add_window")}</button>
        </div>
        <div class="row">
          <label>${this.t("rules.until")}<input type="date" aria-label=${this.t("rules.until")} .value=${e.until??""} @change=${s=>this._change(i=>i.until=s.target.value||null)} /></label>
        </div>
        <div class="muted">${this.t("rules.not_while")}</div>
        <div class="row">
          ${tt.map(s=>a`<label class="day"
              ><input
                type="checkbox"
                .checked=${e.not_while.includes(s)}
                @change=${i=>this._change(n=>{n.not_while=i.target.checked?[...n.not_while,s]:n.not_while.filter(o=>o!==s)})}
              />${me(this.hass,`state.${s}`,s)}</label
            >`)}
        </div>
        <div class="row">
          <button class="primary" ?disabled=${this._busy} @click=${()=>this._save(this._draft)}>${this.t("rules.save")}</button>
          <button ?disabled=${this._busy} @click=${()=>this._save({windows:[],until:null,not_while:[]})}>${this.t("rules.clear")}</button>
        </div>
      </div>
    `}};O.properties={hass:{attribute:!1},account:{attribute:!1},name:{attribute:!1},rules:{attribute:!1},_draft:{state:!0},_busy:{state:!0},_error:{state:!0}},O.styles=[b,g`
      .editor {
        display: flex;
        flex-direction: column;
        gap: 10px;
        border-top: 1px solid var(--divider-color, #e0e0e0);
        padding-top: 10px;
      }
      fieldset {
        border: 1px solid var(--divider-color, #e0e0e0);
        border-radius: 8px;
        margin: 0;
        padding: 8px;
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      label.day {
        flex-direction: row;
        align-items: center;
        gap: 2px;
        font-size: 13px;
        color: var(--primary-text-color);
      }
      .days {
        gap: 6px;
      }
    `];customElements.define("intruder-alert-rules",O);var Ne=["whitelist","blacklist"];function st(r){return new Promise((t,e)=>{let s=new FileReader;s.onload=()=>t(String(s.result).replace(/^data:[^,]*,/,"")),s.onerror=()=>e(s.error),s.readAsDataURL(r)})}var D=class extends m{constructor(){super();this.t=(e,s)=>u(this.hass,e,s);this.accounts=[],this._busy=!1,this._error="",this._done="",this._confirm="",this._editing=""}async _act(e,s){this._busy=!0,this._error="",this._done="";try{return await e(new _(this.hass)),this._done=s,this._confirm="",this.dispatchEvent(new CustomEvent("library-changed",{bubbles:!0,composed:!0})),!0}catch(i){return this._error=v(i),!1}finally{this._busy=!1}}async _upload(){let e=this.renderRoot.querySelector("input.name")?.value.trim()??"",s=this.renderRoot.querySelector("select.tier")?.value??"whitelist",n=this.renderRoot.querySelector("input.photo")?.files?.[0];if(!e||!n)return;let o=await st(n);await this._act(d=>d.enrollUpload(this.account,s,e,o),this.t("people.uploaded",{name:e,tier:this.t(`tier.${s}`)}))&&this.renderRoot.querySelector("form")?.reset()}_person(e,s){let i=s==="whitelist"?"blacklist":"whitelist",n=`${s}:${e.user_id}`;return a`
      <div class="card person" data-name=${e.name} data-tier=${s}>
        <div class="row top">
          ${e.thumbnail_url?a`<img class="face" src=${e.thumbnail_url} alt="" loading="lazy" />`:a`<div class="face initials" aria-hidden="true">${e.name.slice(0,1).toUpperCase()}</div>`}
          <div>
            <div class="name">${e.name}</div>
            <div class="muted">
              ${e.faces===1?this.t("people.face"):this.t("people.faces",{count:e.faces})}${e.added?a` · ${this.t("people.added",{date:Q(this.hass,e.added)})}`:l}
            </div>
          </div>
        </div>
        ${s==="whitelist"?a`<div class="rules muted">${Ue(this.hass,e.rules)}</div>`:l}
        ${this._editing===n?a`<intruder-alert-rules
              .hass=${this.hass}
              .account=${this.account}
              .name=${e.name}
              .rules=${e.rules}
              @rules-saved=${()=>{this._editing="",this._done=this.t("rules.saved",{name:e.name}),this.dispatchEvent(new CustomEvent("library-changed",{bubbles:!0,composed:!0}))}}
            ></intruder-alert-rules>`:l}
        ${this._confirm===n?a`<p class="muted">${this.t("people.confirm_remove",{name:e.name,tier:this.t(`tier.${s}`)})}</p>
              <div class="row">
                <button class="danger" ?disabled=${this._busy} @click=${()=>this._act(o=>o.remove(this.account,s,e.name),this.t("people.removed",{name:e.name}))}>${this.t("people.remove")}</button>
                <button ?disabled=${this._busy} @click=${()=>this._confirm=""}>${this.t("run.close")}</button>
              </div>`:a`<div class="row">
              <button ?disabled=${this._busy} @click=${()=>this._act(o=>o.move(this.account,e.name,s,i),this.t("people.moved",{name:e.name,tier:this.t(`tier.${i}`)}))}>
                ${this.t("people.move_to",{tier:this.t(`tier.${i}`)})}
              </button>
              ${s==="whitelist"?a`<button ?disabled=${this._busy} aria-expanded=${this._editing===n?"true":"false"} @click=${()=>this._editing=this._editing===n?"":n}>${this.t("rules.button")}</button>`:l}
              <button class="danger" ?disabled=${this._busy} @click=${()=>this._confirm=n}>${this.t("people.remove")}</button>
            </div>`}
      </div>
    `}render(){return a`
      ${this.accounts.length>1?a`<label class="account">${this.t("people.account")}
            <select aria-label=${this.t("people.account")} @change=${e=>this.dispatchEvent(new CustomEvent("account-changed",{detail:e.target.value,bubbles:!0,composed:!0}))}>
              ${this.accounts.map(e=>a`<option value=${e.entry_id} ?selected=${e.entry_id===this.account}>${e.label}</option>`)}
            </select>
          </label>`:l}
      ${this._error?a`<div class="message error" role="alert">${this._error}</div>`:l}
      ${this._done?a`<div class="message info" role="status">${this._done}</div>`:l}
      <form class="card add" @submit=${e=>{e.preventDefault(),this._upload()}}>
        <h2>${this.t("people.add_title")}</h2>
        <div class="row">
          <label>${this.t("face.name")}<input class="name" required aria-label=${this.t("face.name")} /></label>
          <label>${this.t("face.tier")}
            <select class="tier" aria-label=${this.t("face.tier")}>
              ${Ne.map(e=>a`<option value=${e}>${this.t(`tier.${e}`)}</option>`)}
            </select>
          </label>
          <label>${this.t("people.photo")}<input class="photo" type="file" required accept="image/jpeg,image/png" aria-label=${this.t("people.photo")} /></label>
          <button class="primary" type="submit" ?disabled=${this._busy}>${this.t("people.upload")}</button>
        </div>
      </form>
      ${Ne.map(e=>a`
          <section class="tier-list" data-tier=${e}>
            <h2>${this.t(`tier.${e}`)} <span class="muted">· ${this.t(`tier.${e}.hint`)}</span></h2>
            ${this.people===void 0?a`<p class="muted">${this.t("loading")}</p>`:this.people[e].length===0?a`<p class="muted">${this.t("people.empty")}</p>`:a`<div class="grid">${this.people[e].map(s=>this._person(s,e))}</div>`}
          </section>
        `)}
    `}};D.properties={hass:{attribute:!1},people:{attribute:!1},accounts:{attribute:!1},account:{attribute:!1},_busy:{state:!0},_error:{state:!0},_done:{state:!0},_confirm:{state:!0},_editing:{state:!0}},D.styles=[b,g`
      .add {
        margin-bottom: 16px;
      }
      .add .row {
        align-items: flex-end;
      }
      .account {
        margin-bottom: 16px;
        max-width: 320px;
      }
      .person {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .top {
        flex-wrap: nowrap;
      }
      .name {
        font-weight: 500;
      }
      .initials {
        display: flex;
        align-items: center;
        justify-content: center;
        font-size: 28px;
        color: var(--secondary-text-color);
      }
      section {
        margin-top: 16px;
      }
    `];customElements.define("intruder-alert-people",D);var F=class extends m{constructor(){super();this.t=(e,s)=>u(this.hass,e,s);this._mode="",this._busy=!1,this._error="",this.alsoIgnore=[]}_enrol(e,s,i){return this.visitorId?e.enrollVisitor(this.entryId,this.visitorId,s,i):e.enrollRunFace(this.runId,this.faceIndex,s,i)}async _do(e,s){this._busy=!0,this._error="";try{await e(new _(this.hass)),this.dispatchEvent(new CustomEvent("face-decided",{detail:s,bubbles:!0,composed:!0})),this._mode=""}catch(i){this._error=v(i)}finally{this._busy=!1}}_existing(){let e=this.renderRoot.querySelector("select.person");if(!e?.value)return;let[s,...i]=e.value.split(":"),n=i.join(":");this._do(o=>this._enrol(o,s,n),{tier:s,name:n})}_new(){let e=this.renderRoot.querySelector("input.name")?.value.trim()??"",s=this.renderRoot.querySelector("select.tier")?.value??"whitelist";e&&this._do(i=>this._enrol(i,s,e),{tier:s,name:e})}_ignore(){this._do(async e=>{for(let s of[{runId:this.runId,faceIndex:this.faceIndex},...this.alsoIgnore])await e.dismiss(s.runId,s.faceIndex)},{dismissed:!0})}render(){let e=this.people?[...this.people.whitelist.map(s=>["whitelist",s.name]),...this.people.blacklist.map(s=>["blacklist",s.name])]:[];return a`
      ${this._error?a`<div class="message error" role="alert">${this._error}</div>`:l}
      <div class="row">
        <button ?disabled=${this._busy||!e.length} @click=${()=>this._mode="existing"}>${this.t("face.this_is")}</button>
        <button ?disabled=${this._busy} @click=${()=>this._mode="new"}>${this.t("face.new_person")}</button>
        <button ?disabled=${this._busy} @click=${this._ignore}>${this.t("face.ignore")}</button>
      </div>
      ${this._mode==="existing"?a`<div class="row form">
            <select class="person" aria-label=${this.t("face.choose")}>
              ${e.map(([s,i])=>a`<option value="${s}:${i}">${i} (${this.t(`tier.${s}`)})</option>`)}
            </select>
            <button class="primary" ?disabled=${this._busy} @click=${this._existing}>${this.t("face.add")}</button>
          </div>`:l}
      ${this._mode==="new"?a`<div class="row form">
            <input class="name" aria-label=${this.t("face.name")} placeholder=${this.t("face.name")} @keydown=${s=>s.key==="Enter"&&this._new()} />
            <select class="tier" aria-label=${this.t("face.tier")}>
              <option value="whitelist">${this.t("tier.whitelist")}</option>
              <option value="blacklist">${this.t("tier.blacklist")}</option>
            </select>
            <button class="primary" ?disabled=${this._busy} @click=${this._new}>${this.t("face.add")}</button>
          </div>`:l}
    `}};F.properties={hass:{attribute:!1},people:{attribute:!1},runId:{attribute:!1},faceIndex:{attribute:!1},entryId:{attribute:!1},visitorId:{attribute:!1},alsoIgnore:{attribute:!1},_mode:{state:!0},_busy:{state:!0},_error:{state:!0}},F.styles=[b,g`
      .form {
        margin-top: 8px;
      }
      .message {
        margin-bottom: 8px;
      }
    `];customElements.define("intruder-alert-face-actions",F);var W=class extends m{constructor(){super();this.t=(e,s)=>u(this.hass,e,s);this._error="",this._saved=""}connectedCallback(){super.connectedCallback(),this.reload()}async reload(){try{this._faces=(await new _(this.hass).review()).faces,this._error=""}catch(e){this._error=v(e)}}get _wanted(){let e=new URLSearchParams(window.location.search);return e.has("run_id")?`${e.get("run_id")}:${e.get("face_index")??"0"}`:""}updated(){let e=this.renderRoot.querySelector(".pending.wanted");e&&!e.dataset.shown&&(e.dataset.shown="1",e.scrollIntoView({block:"center"}))}async _decided(e){let{tier:s,name:i}=e.detail;this._saved=i&&s?this.t("face.saved",{name:i,tier:this.t(`tier.${s}`)}):"",await this.reload(),this.dispatchEvent(new CustomEvent("library-changed",{bubbles:!0,composed:!0}))}_groups(e){let s=new Map;for(let i of e){let n=i.visitor_id?`visitor:${i.visitor_id}`:`face:${i.run_id}:${i.face_index}`;s.set(n,[...s.get(n)??[],i])}return[...s.values()]}_card(e){let[s,...i]=e,n=s.times_seen??e.length;return a`<div
      class="card pending ${e.some(o=>this._wanted===`${o.run_id}:${o.face_index}`)?"wanted":""}"
      data-run-id=${s.run_id}
      data-face-index=${s.face_index}
      data-visitor-id=${s.visitor_id??""}
    >
      <div class="row top">
        ${s.image_url?a`<img class="face big" src=${s.image_url} alt="" loading="lazy" />`:l}
        <div>
          <div class="zone">${s.zone}</div>
          <div class="muted">${x(this.hass,s.time)}</div>
          ${s.visitor_id&&n>1?a`<div class="seen">${this.t("review.seen",{count:n})}</div>`:l}
          <div class="muted">
            ${s.closest?this.t("face.closest",{name:s.closest.name,tier:this.t(`tier.${s.closest.tier}`),similarity:s.closest.similarity.toFixed(1)}):this.t("face.no_closest")}
          </div>
        </div>
      </div>
      ${i.length?a`<div class="row others">
            ${i.slice(0,5).map(o=>o.image_url?a`<img class="face small" src=${o.image_url} alt="" loading="lazy" title=${x(this.hass,o.time)} />`:l)}
          </div>`:l}
      <intruder-alert-face-actions
        .hass=${this.hass}
        .people=${this.people}
        .runId=${s.run_id}
        .faceIndex=${s.face_index}
        .entryId=${s.entry_id}
        .visitorId=${s.visitor_id}
        .alsoIgnore=${i.map(o=>({runId:o.run_id,faceIndex:o.face_index}))}
        @face-decided=${this._decided}
      ></intruder-alert-face-actions>
    </div>`}render(){return a`
      <p class="muted">${this.t("review.intro")}</p>
      ${this._error?a`<div class="message error" role="alert">${this._error}</div>`:l}
      ${this._saved?a`<div class="message info" role="status">${this._saved}</div>`:l}
      ${this._faces===void 0?a`<p class="muted">${this.t("loading")}</p>`:this._faces.length===0?a`<p class="muted">${this.t("review.empty")}</p>`:a`<div class="grid">${this._groups(this._faces).map(e=>this._card(e))}</div>`}
    `}};W.properties={hass:{attribute:!1},people:{attribute:!1},_faces:{state:!0},_error:{state:!0},_saved:{state:!0}},W.styles=[b,g`
      .pending.wanted {
        border-color: var(--primary-color);
        box-shadow: 0 0 0 2px var(--primary-color);
      }
      .pending {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .top {
        flex-wrap: nowrap;
        align-items: flex-start;
      }
      img.small {
        width: 40px;
        height: 40px;
      }
      .seen {
        color: var(--warning-color, #ffa600);
        font-weight: 500;
        font-size: 14px;
      }
      img.big {
        width: 112px;
        height: 112px;
      }
      .zone {
        font-weight: 500;
      }
    `];customElements.define("intruder-alert-review",W);function X(r,t){let e=(d,p)=>u(r,d,p),s=t.name!==null?a`<strong>${t.name}</strong> <span class="muted">${t.tier?e(`tier.${t.tier}`):""}${t.similarity!==null?a` · ${t.similarity.toFixed(1)} %`:l}</span>`:l,i=t.verdict==="unknown"&&"closest"in t?t.closest?a`<div class="muted">${e("face.closest",{name:t.closest.name,tier:e(`tier.${t.closest.tier}`),similarity:t.closest.similarity.toFixed(1)})}</div>`:a`<div class="muted">${e("face.no_closest")}</div>`:l,n=t.visitor_id&&(t.times_seen??0)>1?a`<div class="muted">${e("review.seen",{count:t.times_seen??0})}</div>`:l,o=t.outside_rules?a`<div class="outside">${Le(r,t.outside_rules)}</div>`:l,c=t.enrolled?a`<div class="muted">${e("face.enrolled",{name:t.enrolled.name,tier:e(`tier.${t.enrolled.tier}`)})}</div>`:t.dismissed?a`<div class="muted">${e("face.dismissed")}</div>`:l;return a`
    <div class="face-row">
      ${t.image_url?a`<img class="face" src=${t.image_url} alt="" loading="lazy" />`:l}
      <div>
        <div><span class="chip ${t.verdict}">${e(`verdict.${t.verdict}`)}</span> ${s}</div>
        ${o} ${n} ${i} ${c}
      </div>
    </div>
  `}function Oe(r,t){let e=`backend.${t}`;return["backend.rekognition","backend.local","backend.local_fallback"].includes(e)?u(r,e):t}var De={person_outside_rules:{key:"type.person_outside_rules",tone:"unknown"},loitering:{key:"type.loitering",tone:"blacklisted"}};function _e(r,t){let e=De[t.type];return u(r,e?e.key:`verdict.${t.verdict}`)}function j(r,t){return a`<span class="chip ${De[t.type]?.tone??t.verdict}">${_e(r,t)}</span>`}var it=["blacklisted","unknown","known","no_face","failed"],B=class extends m{constructor(){super();this.t=(e,s)=>u(this.hass,e,s);this.zones=[],this._cursor=null,this._filter={},this._loading=!1,this._error=""}connectedCallback(){super.connectedCallback(),this.reload()}async reload(){await this._load(null)}async _load(e){this._loading=!0,this._error="";try{let s=await new _(this.hass).runs(this._filter,e);this._runs=e?[...this._runs??[],...s.runs]:s.runs,this._cursor=s.next_cursor}catch(s){this._error=v(s)}finally{this._loading=!1}}_setFilter(e){this._filter={...this._filter,...e},this.reload()}async _openRun(e){this._released=void 0;try{this._open=await new _(this.hass).run(e.run_id)}catch(s){this._error=v(s)}}async _release(e){try{await new _(this.hass).releaseEvidence(e.entry_id,e.run_id)}catch(s){this._error=v(s);return}this._released=e.run_id,this._open?.run_id===e.run_id&&(this._open={...this._open,evidence:!1}),this._runs=this._runs?.map(s=>s.run_id===e.run_id?{...s,evidence:!1}:s)}async _decided(){this._open&&await this._openRun(this._open),this.dispatchEvent(new CustomEvent("library-changed",{bubbles:!0,composed:!0}))}_day(e,s){if(!e)return;let i=new Date(`${e}T00:00:00`);return s&&i.setDate(i.getDate()+1),i.toISOString()}_filters(){let e=[...new Set(this.zones.map(s=>s.name))];return a`
      <div class="row filters">
        <label>${this.t("filter.zone")}
          <select aria-label=${this.t("filter.zone")} @change=${s=>this._setFilter({zone:s.target.value||void 0})}>
            <option value="">${this.t("filter.any")}</option>
            ${e.map(s=>a`<option value=${s}>${s}</option>`)}
          </select>
        </label>
        <label>${this.t("filter.verdict")}
          <select aria-label=${this.t("filter.verdict")} @change=${s=>{let i=s.target.value;this._setFilter({verdicts:i?[i]:void 0})}}>
            <option value="">${this.t("filter.any")}</option>
            ${it.map(s=>a`<option value=${s}>${this.t(`verdict.${s}`)}</option>`)}
          </select>
        </label>
        <label>${this.t("filter.person")}
          <input type="search" aria-label=${this.t("filter.person")} @change=${s=>this._setFilter({person:s.target.value.trim()||void 0})} />
        </label>
        <label>${this.t("filter.after")}
          <input type="date" aria-label=${this.t("filter.after")} @change=${s=>this._setFilter({after:this._day(s.target.value,!1)})} />
        </label>
        <label>${this.t("filter.before")}
          <input type="date" aria-label=${this.t("filter.before")} @change=${s=>this._setFilter({before:this._day(s.target.value,!0)})} />
        </label>
      </div>
    `}_card(e){return a`
      <button class="card run" data-run-id=${e.run_id} @click=${()=>this._openRun(e)}>
        ${e.thumbnail_url?a`<img class="thumb" src=${e.thumbnail_url} alt="" loading="lazy" />`:a`<div class="thumb none muted">${this.t("visitors.no_snapshot")}</div>`}
        <div class="row head">
          ${j(this.hass,e)}
          ${e.evidence?a`<span class="chip evidence">${this.t("run.evidence")}</span>`:l}
          <span class="zone">${e.zone}</span>
        </div>
        <div class="muted">${x(this.hass,e.time)}</div>
        <div class="people">
          ${e.faces.map(s=>a`<div class="who ${s.verdict}">
              ${s.image_url?a`<img class="mini" src=${s.image_url} alt="" loading="lazy" />`:l}
              <span>${s.name??this.t("face.unknown")}${s.similarity!==null?a` <span class="muted">${Math.round(s.similarity)} %</span>`:l}</span>
            </div>`)}
        </div>
      </button>
    `}_dialog(e){return a`
      <div class="backdrop" @click=${s=>s.target===s.currentTarget&&(this._open=void 0)}>
        <div class="dialog card" role="dialog" aria-label=${this.t("run.title",{zone:e.zone,time:x(this.hass,e.time)})}>
          <div class="row between">
            <h2>${this.t("run.title",{zone:e.zone,time:x(this.hass,e.time)})}</h2>
            <button @click=${()=>this._open=void 0}>${this.t("run.close")}</button>
          </div>
          <div class="row">${j(this.hass,e)}<span class="muted">${this.t("run.backend",{backend:Oe(this.hass,e.backend)})}</span></div>
          ${e.reason?a`<p class="muted">${this.t("run.reason",{reason:e.reason})}</p>`:l}
          ${e.evidence?a`<div class="row evidence"><span class="chip evidence">${this.t("run.evidence")}</span><span class="muted">${this.t("run.evidence_kept")}</span><button @click=${()=>this._release(e)}>${this.t("run.release")}</button></div>`:this._released===e.run_id?a`<p class="muted released">${this.t("run.released")}</p>`:l}
          <div class="body">
          <div class="picture">
          ${e.annotated_url||e.snapshot_url?a`<img class="full" src=${e.annotated_url??e.snapshot_url} alt="" />`:l}
          ${e.snapshot_url&&e.annotated_url?a`<a class="muted" href=${e.snapshot_url} target="_blank" rel="noreferrer">${this.t("run.open_original")}</a>`:l}
          </div>
          <div class="faces">
            ${e.faces.map(s=>a`<div class="face-item">
                ${X(this.hass,s)}
                ${s.verdict==="unknown"&&!s.enrolled&&!s.dismissed&&s.image_url?a`<intruder-alert-face-actions .hass=${this.hass} .people=${this.people} .runId=${e.run_id} .faceIndex=${s.index} @face-decided=${this._decided}></intruder-alert-face-actions>`:l}
              </div>`)}
          </div>
          </div>
        </div>
      </div>
    `}render(){return a`
      ${this._filters()}
      ${this._error?a`<div class="message error" role="alert">${this._error}</div>`:l}
      ${this._runs===void 0?a`<p class="muted">${this.t("loading")}</p>`:this._runs.length===0?a`<p class="muted">${this.t("visitors.empty")}</p>`:a`<div class="grid">${this._runs.map(e=>this._card(e))}</div>`}
      ${this._cursor?a`<div class="more"><button ?disabled=${this._loading} @click=${()=>this._load(this._cursor)}>${this.t("visitors.more")}</button></div>`:l}
      ${this._open?this._dialog(this._open):l}
    `}};B.properties={hass:{attribute:!1},zones:{attribute:!1},people:{attribute:!1},_runs:{state:!0},_cursor:{state:!0},_filter:{state:!0},_loading:{state:!0},_error:{state:!0},_open:{state:!0},_released:{state:!0}},B.styles=[b,g`
      .filters {
        margin-bottom: 16px;
        align-items: flex-end;
      }
      button.run {
        text-align: left;
        color: inherit;
        border-radius: var(--ha-card-border-radius, 12px);
        border: 1px solid var(--divider-color, #e0e0e0);
        display: flex;
        flex-direction: column;
        gap: 6px;
        padding: 0 0 12px;
        overflow: hidden;
        font-weight: 400;
      }
      button.run > :not(img):not(.thumb) {
        padding: 0 12px;
      }
      .thumb {
        width: 100%;
        aspect-ratio: 4 / 3;
        object-fit: cover;
        background: var(--secondary-background-color, #eee);
      }
      .thumb.none {
        display: flex;
        align-items: center;
        justify-content: center;
        text-align: center;
      }
      .zone {
        font-weight: 500;
      }
      .people {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 12px;
        font-size: 14px;
      }
      .who {
        display: flex;
        align-items: center;
        gap: 6px;
      }
      img.mini {
        width: 28px;
        height: 28px;
        border-radius: 50%;
        object-fit: cover;
      }
      .who.blacklisted {
        color: var(--error-color, #db4437);
        font-weight: 500;
      }
      .more {
        display: flex;
        justify-content: center;
        margin: 16px 0;
      }
      .backdrop {
        position: fixed;
        inset: 0;
        background: rgba(0, 0, 0, 0.5);
        display: flex;
        align-items: flex-start;
        justify-content: center;
        overflow: auto;
        z-index: 10;
        padding: 24px 8px;
      }
      .dialog {
        max-width: 1100px;
        width: 100%;
      }
      .body {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(240px, 2fr);
        gap: 16px;
        align-items: start;
      }
      @media (max-width: 800px) {
        .body {
          grid-template-columns: 1fr;
        }
      }
      .between {
        justify-content: space-between;
      }
      .chip.evidence {
        background: var(--info-color, #039be5);
      }
      .row.evidence {
        margin: 8px 0;
        align-items: center;
      }
      img.full {
        display: block;
        max-width: 100%;
        max-height: 70vh;
        margin: 12px auto 4px;
        border-radius: 8px;
      }
      .faces {
        display: flex;
        flex-direction: column;
        gap: 12px;
        margin-top: 12px;
      }
      .face-item {
        display: flex;
        flex-direction: column;
        gap: 8px;
        padding-top: 12px;
        border-top: 1px solid var(--divider-color, #e0e0e0);
      }
    `];customElements.define("intruder-alert-visitors",B);var q=class extends m{constructor(){super();this.t=(e,s)=>u(this.hass,e,s);this._busy="",this._error=""}async _recognise(e){this._busy=e.zone_id,this._error="",this._result=void 0;try{this._result=await new _(this.hass).recogniseNow(e.entry_id,e.zone_id),this.dispatchEvent(new CustomEvent("library-changed",{bubbles:!0,composed:!0}))}catch(s){this._error=v(s)}finally{this._busy=""}}_state(e){return a`<span class="chip ${e?"known":"failed"}">${e?this.t("zones.ok"):this.t("zones.unavailable")}</span>`}_zone(e){return a`
      <div class="card zone" data-zone=${e.name}>
        <h2>${e.name}</h2>
        <dl>
          <dt>${this.t("zones.motion")}</dt><dd>${this._state(e.motion_available)}</dd>
          <dt>${this.t("zones.camera")}</dt><dd>${this._state(e.camera_available)}</dd>
          <dt>${this.t("zones.armed")}</dt>
          <dd>${e.alarm_panel?e.armed?this.t("zones.armed"):this.t("zones.disarmed"):this.t("zones.no_panel")}</dd>
          <dt>${this.t("zones.on_motion")}</dt><dd>${e.recognize_on_motion?this.t("zones.on"):this.t("zones.off")}</dd>
          <dt>${this.t("zones.last_run")}</dt>
          <dd class="last-run">
            ${e.last_run?a`${j(this.hass,e.last_run)}
                  ${e.last_run.names.join(", ")} <span class="muted">${x(this.hass,e.last_run.time)}</span>`:a`<span class="muted">${this.t("zones.never")}</span>`}
          </dd>
        </dl>
        <button class="primary" ?disabled=${this._busy!==""} @click=${()=>this._recognise(e)}>
          ${this._busy===e.zone_id?this.t("zones.recognising"):this.t("zones.recognise_now")}
        </button>
      </div>
    `}render(){let e=this._result;return a`
      ${this._error?a`<div class="message error" role="alert">${this._error}</div>`:l}
      ${e?a`<div class="card result" role="status">
            <div class="row">
              <strong>${this.t("zones.result",{zone:e.zone,verdict:_e(this.hass,e)})}</strong>
              ${e.reason?a`<span class="muted">${e.reason}</span>`:l}
            </div>
            <div class="faces">${e.faces.map(s=>X(this.hass,s))}</div>
          </div>`:l}
      ${this.zones===void 0?a`<p class="muted">${this.t("loading")}</p>`:this.zones.length===0?a`<p class="muted">${this.t("zones.empty")}</p>`:a`<div class="grid">${this.zones.map(s=>this._zone(s))}</div>`}
    `}};q.properties={hass:{attribute:!1},zones:{attribute:!1},_busy:{state:!0},_error:{state:!0},_result:{state:!0}},q.styles=[b,g`
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 8px 16px;
        margin: 0 0 16px;
        font-size: 14px;
      }
      dt {
        color: var(--secondary-text-color);
      }
      dd {
        margin: 0;
      }
      .result {
        margin-bottom: 16px;
      }
      .faces {
        display: flex;
        flex-wrap: wrap;
        gap: 16px;
        margin-top: 12px;
      }
    `];customElements.define("intruder-alert-zones",q);var Fe=["visitors","review","people","zones"],K=class extends m{constructor(){super();this._started=!1;this.t=(e,s)=>u(this.hass,e,s);this.narrow=!1,this._pending=0,this._error=""}get _tab(){let e=(this.route?.path??"").split("/")[1];return Fe.includes(e)?e:"visitors"}_go(e){let s=this.route?.prefix??"/intruder-alert";history.pushState(null,"",`${s}/${e}`),window.dispatchEvent(new CustomEvent("location-changed",{detail:{replace:!1}}))}willUpdate(){this.hass&&!this._started&&(this._started=!0,this._refresh())}async _refresh(){let e=new _(this.hass);try{let[s,i]=await Promise.all([e.zones(),e.review()]);this._zones=s.zones,this._pending=new Set(i.faces.map(n=>n.visitor_id??`${n.run_id}:${n.face_index}`)).size,this._people=await e.people(this._accounts().length>1?this._account??this._accounts()[0].entry_id:void 0),this._account=this._people.entry_id,this._error=""}catch(s){this._error=v(s)}}_accounts(){let e=new Map;for(let s of this._zones??[])e.set(s.entry_id,[...e.get(s.entry_id)??[],s.name]);return[...e].map(([s,i])=>({entry_id:s,label:i.join(", ")}))}_view(){switch(this._tab){case"review":return a`<intruder-alert-review .hass=${this.hass} .people=${this._people}></intruder-alert-review>`;case"people":return a`<intruder-alert-people
          .hass=${this.hass}
          .people=${this._people}
          .accounts=${this._accounts()}
          .account=${this._account}
          @account-changed=${e=>{this._account=e.detail,this._refresh()}}
        ></intruder-alert-people>`;case"zones":return a`<intruder-alert-zones .hass=${this.hass} .zones=${this._zones}></intruder-alert-zones>`;default:return a`<intruder-alert-visitors .hass=${this.hass} .zones=${this._zones??[]} .people=${this._people}></intruder-alert-visitors>`}}render(){return a`
      <div class="toolbar">
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        <div class="title">${this.t("title")}</div>
      </div>
      <nav role="tablist">
        ${Fe.map(e=>a`<a
            role="tab"
            href="${this.route?.prefix??"/intruder-alert"}/${e}"
            aria-selected=${this._tab===e?"true":"false"}
            @click=${s=>{s.preventDefault(),this._go(e)}}
            >${this.t(`tab.${e}`)}${e==="review"&&this._pending?a`<span class="badge">${this._pending}</span>`:l}</a
          >`)}
      </nav>
      <main @library-changed=${()=>this._refresh()}>
        ${this._error?a`<div class="message error" role="alert">${this._error}</div>`:l}
        ${this._view()}
      </main>
    `}};K.properties={hass:{attribute:!1},narrow:{type:Boolean},route:{attribute:!1},panel:{attribute:!1},_zones:{state:!0},_people:{state:!0},_account:{state:!0},_pending:{state:!0},_error:{state:!0}},K.styles=[b,g`
      :host {
        min-height: 100vh;
        background: var(--primary-background-color);
      }
      .toolbar {
        display: flex;
        align-items: center;
        height: var(--header-height, 56px);
        padding: 0 12px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        gap: 8px;
      }
      .title {
        font-size: 20px;
        margin-left: 8px;
      }
      nav {
        display: flex;
        gap: 4px;
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color));
        overflow-x: auto;
      }
      nav a {
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        opacity: 0.8;
        text-decoration: none;
        padding: 12px 16px;
        border-bottom: 2px solid transparent;
        font-weight: 500;
        white-space: nowrap;
      }
      nav a[aria-selected="true"] {
        opacity: 1;
        border-bottom-color: currentColor;
      }
      .badge {
        display: inline-block;
        margin-left: 6px;
        min-width: 18px;
        padding: 0 5px;
        border-radius: 9px;
        background: var(--warning-color, #ffa600);
        color: #fff;
        font-size: 12px;
        line-height: 18px;
        text-align: center;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
      }
    `];customElements.define("intruder-alert-panel",K);export{K as IntruderAlertPanel};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
